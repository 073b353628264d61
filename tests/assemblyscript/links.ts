// Links, monitors and kill: a linked child's failure arrives as LinkDied with the link's tag
// once the parent catches link deaths; a monitored process's end as ProcessDied naming it;
// kill ends a process as a failure; a normal end drops links.
// expect-stdout: link died: tag 17
// expect-stdout: monitor: process died, id matches
// expect-stdout: kill: killed, alive false
// expect-stdout: normal end: no link death
// expect-stdout: link both ways: tag 23
// expect-stderr: abort: child fails on purpose
// expect-stderr: lunatic: process \d+ failed: unreachable at .*__lunatic_abort <- .*links/failing <- .*
import { Mailbox, MessageKind, Process, println } from "lunatic-as";
import { check } from "./check";

function failing(_: i32): void {
  abort("child fails on purpose");
}

function sleeper(_: i32): void {
  Process.sleep(60000);
}

function quick(_: i32): void {}

export function _start(): void {
  Process.dieWhenLinkDies(false);
  const mailbox = new Mailbox<i32>();

  Process.spawnLink<i32, i32>(0, failing, 17).unwrap();
  const died = mailbox.receive(5000);
  check(died.kind == MessageKind.LinkDied, "no link-died message");
  println("link died: tag " + died.tag.toString());

  const watched = Process.spawn<i32, i32>(0, quick).unwrap();
  watched.monitor();
  const ended = mailbox.receive(5000);
  check(ended.kind == MessageKind.ProcessDied && ended.processId == watched.id, "no process-died message");
  println("monitor: process died, id " + (ended.processId == watched.id ? "matches" : "differs"));

  const victim = Process.spawn<i32, i32>(0, sleeper).unwrap();
  check(victim.isAlive, "a sleeping process is not alive");
  victim.monitor();
  victim.kill();
  const killed = mailbox.receive(5000);
  check(killed.kind == MessageKind.ProcessDied, "the killed process was not seen to end");
  println("kill: killed, alive " + (victim.isAlive ? "true" : "false"));

  Process.spawnLink<i32, i32>(0, quick, 19).unwrap();
  const nothing = mailbox.receive(200);
  check(nothing.timedOut, "a normal end was reported as a link death");
  println("normal end: " + (nothing.timedOut ? "no link death" : "a link death"));

  const other = Process.spawn<i32, i32>(0, sleeper).unwrap();
  other.link(23);
  other.kill();
  const both = mailbox.receive(5000);
  check(both.kind == MessageKind.LinkDied, "link(): no link-died message");
  println("link both ways: tag " + both.tag.toString());
}
