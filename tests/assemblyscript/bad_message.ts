// A message that is not of the type the receiver reads (one byte where a class was expected)
// fails the receiver alone, saying why; the sender and others go on.
// expect-stdout: receiver ended: ProcessDied
// expect-stdout: sender still here: 42
// expect-stderr: abort: message shorter than its type: not the type it was sent as
// expect-stderr: lunatic: process \d+ failed: unreachable at .*
import { Mailbox, MessageKind, Process, println } from "lunatic-as";
import { check } from "./check";

class Job {
  name: string = "";
  steps: i32[] = [];
}

function receiver(_: i32): void {
  const job = new Mailbox<Job>().next();
  println("FAIL: decoded a job from a byte: " + job.name);
}

export function _start(): void {
  const child = Process.spawn<i32, Job>(0, receiver).unwrap();
  child.monitor();
  new Process<u8>(child.id).send(7);
  const ended = new Mailbox<i32>().receive(5000);
  check(ended.kind == MessageKind.ProcessDied, "the receiver did not end");
  println("receiver ended: " + (ended.kind == MessageKind.ProcessDied ? "ProcessDied" : "no"));
  Process.self<i32>().send(42);
  println("sender still here: " + new Mailbox<i32>().next().toString());
}
