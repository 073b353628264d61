;; Bounds checks compared as address > size - end (passes/memory/check_limits.cpp): the
;; last bytes of the memory load, one byte more traps, with and without an offset, in a
;; loop and after memory.grow moved the end; an empty memory, smaller than any access, traps
;; on every access (its limit is negative); offsets near 4 GiB reach past any memory.
(module
  (memory 1 3)
  ;; Sums the i32 at p + 4i for i in [0, n), through an offset of 8.
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load offset=8 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $s))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "load8_far") (param i32) (result i32) (i32.load8_u offset=0xffffffff (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store_load") (param i32) (param i64) (result i64)
    (i64.store (local.get 0) (local.get 1))
    (i64.load (local.get 0))))

(assert_return (invoke "sum" (i32.const 65520) (i32.const 2)) (i32.const 0))
(assert_trap (invoke "sum" (i32.const 65520) (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "load64" (i32.const 65528)) (i64.const 0))
(assert_trap (invoke "load64" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "load64" (i32.const 0xffffffff)) "out of bounds memory access")
(assert_trap (invoke "load8_far" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load8_far" (i32.const 0xffffffff)) "out of bounds memory access")
(assert_return (invoke "store_load" (i32.const 65528) (i64.const 7)) (i64.const 7))
(assert_trap (invoke "store_load" (i32.const 65530) (i64.const 7)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "load64" (i32.const 65529)) (i64.const 0))
(assert_return (invoke "sum" (i32.const 131048) (i32.const 4)) (i32.const 0))
(assert_trap (invoke "sum" (i32.const 131048) (i32.const 5)) "out of bounds memory access")
(assert_trap (invoke "load64" (i32.const 131065)) "out of bounds memory access")

(module
  (memory 0)
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load offset=4 (local.get 0)))
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $s)))

(assert_trap (invoke "load8" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load64" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 0)) (i32.const 0))
(assert_trap (invoke "sum" (i32.const 0) (i32.const 1)) "out of bounds memory access")
