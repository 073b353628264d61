// ring P L: the main process and P-1 relays in a ring pass an integer L laps; every sender
// adds one. A negative token stops the ring (not timed).
import { Mailbox, Process } from "lunatic-as";
import { argument, result, seconds } from "./bench";

function relay(_: i32): void {
  const mailbox = new Mailbox<i64>();
  const next = new Process<i64>(<u64>mailbox.next());
  while (true) {
    const token = mailbox.next();
    next.send(token < 0 ? token : token + 1);
    if (token < 0) return;
  }
}

export function _start(): void {
  const procs = <i32>argument(1, 1000);
  const laps = <i32>argument(2, 1000);
  const ring = new Array<Process<i64>>(procs);
  ring[0] = Process.self<i64>();
  for (let i = 1; i < procs; i++) ring[i] = Process.spawn<i32, i64>(0, relay).unwrap();
  for (let i = 1; i < procs; i++) ring[i].send(<i64>ring[(i + 1) % procs].id);
  const mailbox = new Mailbox<i64>();
  const first = procs > 1 ? ring[1] : ring[0];
  const start = seconds();
  let token: i64 = 0;
  for (let lap = 0; lap < laps; lap++) {
    first.send(token + 1);
    token = mailbox.next();
  }
  const elapsed = seconds() - start;
  if (procs > 1) {
    ring[1].send(-1);
    mailbox.next();
  }
  result("ring", elapsed, token);
}
