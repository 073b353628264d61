// spawn N: the parent spawns N processes; each sends one tiny message to the parent and ends;
// the parent then receives the N messages.
import { Mailbox, Process } from "lunatic-as";
import { argument, result, seconds } from "./bench";

function child(parent: u64): void {
  new Process<u8>(parent).send(0);
}

export function _start(): void {
  const n = argument(1, 1000000);
  const self = Process.self<u8>().id;
  const mailbox = new Mailbox<u8>();
  const start = seconds();
  for (let i: i64 = 0; i < n; i++) Process.spawn<u64, u8>(self, child).unwrap();
  let received: i64 = 0;
  for (; received < n; received++) mailbox.next();
  result("spawn", seconds() - start, received);
}
