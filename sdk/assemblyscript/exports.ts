// The exports the runtime calls into. asconfig.json makes this file an entry of every program
// built with it, so that these are exports of the module.

/** A spawned process's entry (Process.spawn): runs `start(entry, value)`, the start-value
 *  reader that Process.spawn made for the type of `entry`'s argument. The Wasm start function
 *  has already set up the runtime by then. */
export function __lunatic_spawn(start: usize, entry: usize, value: i64): void {
  changetype<(entry: usize, value: i64) => void>(start)(entry, value);
}

/** lunatic::trap::catch calls back here (catchTrap). */
export function _lunatic_catch_trap(body: usize, _pointer: usize): i32 {
  changetype<() => void>(body)();
  return 1;
}
