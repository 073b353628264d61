;; Guest code that traps in each way an executable must report (run_trap_tests.py).
(module
  (memory 1)
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $recurse (param i32) (result i32) (i32.add (call $recurse (local.get 0)) (i32.const 1)))
  (func $oob (param i32) (result i32) (i32.load (local.get 0)))
  (func $div (export "div") (drop (call $inner (i32.const 0))))
  (func $stack (export "stack") (drop (call $recurse (i32.const 0))))
  (func $oob_entry (export "oob") (drop (call $oob (i32.const 70000))))
  (func $oob_direct (export "oob_direct") (drop (i32.load (i32.const 70000))))
  (func $unreachable (export "unreachable") (unreachable)))
