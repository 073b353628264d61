// skynet L: a tree of processes, 10 children each, down to L leaves; leaf k sends k up,
// every parent sends the sum of its children's messages up.
import { Mailbox, Process } from "lunatic-as";
import { argument, result, seconds } from "./bench";

/** What a node is spawned with: plain numbers, sent as its first message. */
class Span {
  parent: u64 = 0;
  number: i64 = 0;
  size: i64 = 0;
}

function node(span: Span): void {
  let sum = span.number;
  if (span.size > 1) {
    const self = Process.self<i64>().id;
    const step = span.size / 10;
    for (let i = 0; i < 10; i++) {
      const child = new Span();
      child.parent = self;
      child.number = span.number + i * step;
      child.size = step;
      Process.spawn<Span, i64>(child, node).unwrap();
    }
    const mailbox = new Mailbox<i64>();
    sum = 0;
    for (let i = 0; i < 10; i++) sum += mailbox.next();
  }
  new Process<i64>(span.parent).send(sum);
}

export function _start(): void {
  const leaves = argument(1, 1000000);
  const start = seconds();
  const root = new Span();
  root.parent = Process.self<i64>().id;
  root.size = leaves;
  Process.spawn<Span, i64>(root, node).unwrap();
  const sum = new Mailbox<i64>().next();
  result("skynet", seconds() - start, sum);
}
