;; Loops bounded only by their traps (passes/loop_utils.h, boundedOnlyByTraps): a run of
;; digits read until a byte that is not one. Bounds-checked, such a loop gets no version
;; chosen in its preheader; charge unrolling runs four copies of its body per check instead,
;; each with its own bounds check. A run of digits that reaches the end of memory must trap
;; at the first byte past it, after the iterations before it have stored their progress;
;; runs that stop one byte short, or start at the last byte or past the end, or at an
;; address that would wrap, must do exactly what Wasm says.
(module
  (memory 1)
  (data (i32.const 16) "12345x")
  (data (i32.const 65526) "9876543210")

  ;; The value of the digits at p; every iteration stores how many it has read at 0.
  (func (export "digits") (param $p i32) (result i64) (local $v i64) (local $c i32) (local $n i32)
    (i32.store (i32.const 0) (i32.const 0))
    (block $done
      (loop $next
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (i32.store (i32.const 0) (local.get $n))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $v))

  (func (export "read") (result i32) (i32.load (i32.const 0)))
  (func (export "put") (param $a i32) (param $b i32) (i32.store8 (local.get $a) (local.get $b))))

(assert_return (invoke "digits" (i32.const 16)) (i64.const 12345))
(assert_return (invoke "read") (i32.const 5))
(assert_return (invoke "digits" (i32.const 21)) (i64.const 0))
(assert_return (invoke "read") (i32.const 0))

;; Ten digits up to the last byte, then the end of memory.
(assert_trap (invoke "digits" (i32.const 65526)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 10))
(assert_trap (invoke "digits" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 3))
(assert_trap (invoke "digits" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 1))
(assert_trap (invoke "digits" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 0))
(assert_trap (invoke "digits" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "read") (i32.const 0))

;; The same run stopped one byte short of the end: no trap.
(invoke "put" (i32.const 65535) (i32.const 120))
(assert_return (invoke "digits" (i32.const 65526)) (i64.const 987654321))
(assert_return (invoke "read") (i32.const 9))
