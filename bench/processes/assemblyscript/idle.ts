// idle N: N processes each tell the parent they are ready and block in receive. Timed:
// spawning until all N are ready. The moments to measure resident memory at are marked on
// stderr ("RSS-MARK baseline", "RSS-MARK ready"), where run.py reads it, as ../lunatic/idle.c.
import { Mailbox, Process, eprintln } from "lunatic-as";
import { argument, result, seconds } from "./bench";

function idler(parent: u64): void {
  const back = new Process<i64>(parent);
  back.send(1);
  new Mailbox<i64>().next();
  back.send(2);
}

function mark(what: string): void {
  eprintln("RSS-MARK " + what);
  Process.sleep(300);
}

export function _start(): void {
  const n = <i32>argument(1, 100000);
  const ids = new Array<Process<i64>>(n);
  const self = Process.self<i64>().id;
  const mailbox = new Mailbox<i64>();
  mark("baseline");
  const start = seconds();
  for (let i = 0; i < n; i++) ids[i] = Process.spawn<u64, i64>(self, idler).unwrap();
  for (let i = 0; i < n; i++) mailbox.next();
  const elapsed = seconds() - start;
  mark("ready");
  for (let i = 0; i < n; i++) ids[i].send(0);
  let byes: i64 = 0;
  for (; byes < n; byes++) mailbox.next();
  result("idle", elapsed, byes);
}
