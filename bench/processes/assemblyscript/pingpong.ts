// pingpong N: two processes bounce an integer N round trips; the second replies with the
// integer plus one.
import { Mailbox, Process } from "lunatic-as";
import { argument, result, seconds } from "./bench";

function ponger(parent: u64): void {
  const back = new Process<i64>(parent);
  const mailbox = new Mailbox<i64>();
  while (true) {
    const value = mailbox.next();
    if (value < 0) return;
    back.send(value + 1);
  }
}

export function _start(): void {
  const n = argument(1, 1000000);
  const other = Process.spawn<u64, i64>(Process.self<i64>().id, ponger).unwrap();
  const mailbox = new Mailbox<i64>();
  const start = seconds();
  let value: i64 = 0;
  for (let i: i64 = 0; i < n; i++) {
    other.send(value);
    value = mailbox.next();
  }
  const elapsed = seconds() - start;
  other.send(-1);
  result("pingpong", elapsed, value, "us_per_roundtrip=" + (elapsed * 1e6 / <f64>n).toString() + " bytes=8");
}
