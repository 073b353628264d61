;; Loops over constant addresses (a C program's static arrays) with constant trip counts:
;; ScalarEvolution proves that their addresses do not wrap, and LLVM makes them i64
;; recurrences itself. Bounds-checked, passes/memory/address_widening.cpp then runs a copy
;; of such a loop without its bounds checks when both ends of every checked range lie
;; within the memory, and the loop as it was otherwise: a loop that runs off the end of the
;; memory stores everything before the access that leaves it, then traps there.
(module
  (memory 1)

  ;; for i in [0, min(rows, 4)), j in [0, 3000): word(50000 + 4j) += i + j + 1, all in
  ;; bounds (the memory ends at 50000 + 4 * 3884).
  (func (export "rows") (param $rows i32)
    (local $i i32) (local $j i32) (local $a i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $a (i32.add (i32.const 50000) (i32.shl (local.get $j) (i32.const 2))))
          (i32.store (local.get $a)
            (i32.add (i32.load (local.get $a)) (i32.add (i32.add (local.get $i) (local.get $j)) (i32.const 1))))
          (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 3000))))
        (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4))))))

  ;; for j in [0, 4000): word(50004 + 4j) = word(50000 + 4j) + 1, each word made from the
  ;; one before it (which keeps LLVM from vectorising the loop in either mode, so that the
  ;; stores before the trap are exact with guard pages too: see docs/architecture.md, "Known
  ;; deviations"). The store leaves the memory at j = 3883.
  (func (export "fill")
    (local $j i32) (local $a i32)
    (loop $inner
      (local.set $a (i32.add (i32.const 50000) (i32.shl (local.get $j) (i32.const 2))))
      (i32.store offset=4 (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
      (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 4000)))))

  ;; The same with i64s at 50004 + 8j: the store at j = 1940 straddles the end of the memory
  ;; (its first half in bounds, which stays unwritten).
  (func (export "fill64")
    (local $j i32) (local $a i32)
    (loop $inner
      (local.set $a (i32.add (i32.const 50004) (i32.shl (local.get $j) (i32.const 3))))
      (i64.store offset=8 (local.get $a) (i64.add (i64.load (local.get $a)) (i64.const 1)))
      (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 2000)))))

  (func (export "load") (param $a i32) (result i32) (i32.load (local.get $a))))

(assert_return (invoke "rows" (i32.const 4)))
;; word(50000 + 4j) = 4j + 10 after four rows (1 + 2 + 3 + 4 plus 4j).
(assert_return (invoke "load" (i32.const 50000)) (i32.const 10))
(assert_return (invoke "load" (i32.const 50004)) (i32.const 14))
(assert_return (invoke "load" (i32.const 61996)) (i32.const 12006))
(assert_return (invoke "load" (i32.const 62000)) (i32.const 0))
;; word(50000) stays 10; word(50004 + 4j) = 10 + j + 1 up to the last in bounds.
(assert_trap (invoke "fill") "out of bounds memory access")
(assert_return (invoke "load" (i32.const 50000)) (i32.const 10))
(assert_return (invoke "load" (i32.const 50004)) (i32.const 11))
(assert_return (invoke "load" (i32.const 61996)) (i32.const 3009))
(assert_return (invoke "load" (i32.const 65528)) (i32.const 3892))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 3893))
;; The i64 at 50004 is 11 + 12 * 2^32: the low halves count on from 11, the high ones stay 12.
(assert_trap (invoke "fill64") "out of bounds memory access")
(assert_return (invoke "load" (i32.const 50012)) (i32.const 12))
(assert_return (invoke "load" (i32.const 50016)) (i32.const 12))
(assert_return (invoke "load" (i32.const 65524)) (i32.const 1951))
(assert_return (invoke "load" (i32.const 65528)) (i32.const 12))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 3893))
