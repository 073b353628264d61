// catchTrap (lunatic::trap::catch): a trap inside the body ends the body, not the process;
// the process goes on allocating and collecting, even after many caught traps (each gives
// back the shadow stack the trapped frames held).
// expect-stdout: returned normally: true
// expect-stdout: abort caught: false
// expect-stdout: out of range caught: false
// expect-stdout: nested: inner false, outer true
// expect-stdout: 10000 traps caught, heap fine: true
// expect-stderr: abort: caught on purpose
// expect-stderr: abort: Index out of range at ~lib/array\.ts:\d+:\d+
// expect-stderr: abort: caught on purpose
import { catchTrap, println } from "lunatic-as";
import { check } from "./check";

let counter = 0;
let inner = true;

function fine(): void { counter++; }
function aborts(): void { abort("caught on purpose"); }
function outOfRange(): void {
  const list = new Array<i32>(3);
  counter += list[counter + 10];
}
function deep(depth: i32): void {
  const garbage = "depth " + depth.toString();
  if (depth == 0) unreachable();
  deep(depth - 1);
  counter += garbage.length;
}
function deepTrap(): void { deep(50); }
function nested(): void { inner = catchTrap(aborts); }

export function _start(): void {
  println("returned normally: " + catchTrap(fine).toString());
  println("abort caught: " + catchTrap(aborts).toString());
  println("out of range caught: " + catchTrap(outOfRange).toString());
  const outer = catchTrap(nested);
  println("nested: inner " + inner.toString() + ", outer " + outer.toString());

  let caught = 0;
  for (let i = 0; i < 10000; i++) if (!catchTrap(deepTrap)) caught++;
  const kept = new Array<string>();
  for (let i = 0; i < 10000; i++) kept.push("kept " + i.toString());
  __collect();
  const fine = caught == 10000 && kept[9999] == "kept 9999";
  check(fine, "caught " + caught.toString() + " traps");
  println("10000 traps caught, heap fine: " + fine.toString());
}
