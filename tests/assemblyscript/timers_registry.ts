// Timers (sendAfter, cancel), the registry (put, get, remove; a name goes with its process)
// and sleep.
// expect-stdout: timer: fired after \d+ ms
// expect-stdout: cancelled: true, then nothing; cancel again: false
// expect-stdout: registry: found the server, it answered pong
// expect-stdout: removed: not found; gone with its process: not found
import { Mailbox, Process, Registry, monotonicNanos, println } from "lunatic-as";
import { check } from "./check";

function server(_: i32): void {
  Registry.put("test.server", Process.self<u64>());
  const mailbox = new Mailbox<u64>();
  const from = mailbox.next();
  new Process<string>(from).send("pong");
  mailbox.next();  // ends on the next message
}

function named(_: i32): void {
  Registry.put("test.short-lived", Process.self<i32>());
}

export function _start(): void {
  const self = Process.self<string>();
  const strings = new Mailbox<string>();

  const start = monotonicNanos();
  self.sendAfter("tick", 30);
  const tick = strings.receive(5000);
  const elapsed = (monotonicNanos() - start) / 1000000;
  check(tick.isData && tick.value == "tick", "the timer's message did not come");
  check(elapsed >= 30, "the timer fired after " + elapsed.toString() + " ms, before 30");
  println("timer: fired after " + elapsed.toString() + " ms");

  const timer = self.sendAfter("never", 50);
  const cancelled = timer.cancel();
  const nothing = strings.receive(150);
  println("cancelled: " + cancelled.toString() + ", then " + (nothing.timedOut ? "nothing" : "a message") +
          "; cancel again: " + timer.cancel().toString());

  const spawned = Process.spawn<i32, u64>(0, server).unwrap();
  let found: Process<u64> | null = null;
  for (let i = 0; i < 100 && !found; i++) {
    found = Registry.get<u64>("test.server");
    if (!found) Process.sleep(10);
  }
  check(found !== null && found.id == spawned.id, "the registry does not name the server");
  found!.send(self.id);
  println("registry: found the server, it answered " + strings.next());
  Registry.remove("test.server");
  const afterRemove = Registry.get<u64>("test.server");

  const shortLived = Process.spawn<i32, i32>(0, named).unwrap();
  shortLived.monitor();
  new Mailbox<i32>().receive(5000);
  const afterEnd = Registry.get<i32>("test.short-lived");
  println("removed: " + (afterRemove ? "found" : "not found") + "; gone with its process: " + (afterEnd ? "found" : "not found"));
  spawned.send(0);
}
