;; Traps on conditions a loop does not change: the check of an access at a loop-invariant
;; address (`*q` in a loop over an array), which the copy of the loop with 64-bit addresses
;; drops (passes/memory/address_widening.cpp, invariant traps), and whose compare, hoisted
;; out of the loop and tested by several branches, is compared with the memory's size less
;; the access's end (passes/memory/check_limits.cpp). The last four bytes of the memory
;; load; one byte further traps, at the first iteration that reads it, after the stores of
;; the iterations before; a loop that never reads it does not trap; an address near 4 GiB
;; traps.
(module
  (memory 1)
  ;; For i in [0, n): a[i] = a[i] < 0 ? *q + 1 : a[i] + 1, the i32s a at p.
  (func (export "mark") (param $p i32) (param $n i32) (param $q i32)
    (local $v i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $v (i32.load (local.get $p)))
        (if (i32.lt_s (local.get $v) (i32.const 0))
          (then (local.set $v (i32.load (local.get $q)))))
        (i32.store (local.get $p) (i32.add (local.get $v) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
  ;; Walks a list from p (next at +0, value at +4), adding *q for each negative value, then
  ;; a second list from what that sums to, adding *q for each positive value.
  (func (export "walk") (param $p i32) (param $q i32) (result i32)
    (local $s i32)
    (loop $next
      (if (i32.lt_s (i32.load offset=4 (local.get $p)) (i32.const 0))
        (then (local.set $s (i32.add (local.get $s) (i32.load (local.get $q))))))
      (br_if $next (local.tee $p (i32.load (local.get $p)))))
    (loop $again
      (if (i32.gt_s (i32.load offset=4 (local.get $s)) (i32.const 0))
        (then (local.set $s (i32.add (local.get $s) (i32.load (local.get $q))))))
      (br_if $again (local.tee $s (i32.load (local.get $s)))))
    (local.get $s))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "set") (param i32) (param i32) (i32.store (local.get 0) (local.get 1))))

;; a = [1, 2, -1, 5] at 16; *65532 = 7.
(invoke "set" (i32.const 16) (i32.const 1))
(invoke "set" (i32.const 20) (i32.const 2))
(invoke "set" (i32.const 24) (i32.const -1))
(invoke "set" (i32.const 28) (i32.const 5))
(invoke "set" (i32.const 65532) (i32.const 7))
(assert_return (invoke "mark" (i32.const 16) (i32.const 4) (i32.const 65532)))
(assert_return (invoke "get" (i32.const 16)) (i32.const 2))
(assert_return (invoke "get" (i32.const 20)) (i32.const 3))
(assert_return (invoke "get" (i32.const 24)) (i32.const 8))
(assert_return (invoke "get" (i32.const 28)) (i32.const 6))
;; *q out of bounds, never read: no trap, every element incremented.
(assert_return (invoke "mark" (i32.const 16) (i32.const 4) (i32.const 65533)))
(assert_return (invoke "get" (i32.const 16)) (i32.const 3))
(assert_return (invoke "get" (i32.const 28)) (i32.const 7))
;; *q out of bounds, read at the third element: the first two are stored, then the trap.
(invoke "set" (i32.const 24) (i32.const -1))
(assert_trap (invoke "mark" (i32.const 16) (i32.const 4) (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "get" (i32.const 16)) (i32.const 4))
(assert_return (invoke "get" (i32.const 20)) (i32.const 5))
(assert_return (invoke "get" (i32.const 24)) (i32.const -1))
(assert_return (invoke "get" (i32.const 28)) (i32.const 7))
(assert_trap (invoke "mark" (i32.const 16) (i32.const 4) (i32.const 0xfffffffc)) "out of bounds memory access")
(assert_return (invoke "get" (i32.const 16)) (i32.const 5))
(assert_return (invoke "get" (i32.const 24)) (i32.const -1))
;; Lists: 32 -> 40, values -3 and -3, so the first loop reads *q twice: 200, where the
;; second list is one node (next 0, value 0) that does not read it.
(invoke "set" (i32.const 32) (i32.const 40))
(invoke "set" (i32.const 36) (i32.const -3))
(invoke "set" (i32.const 40) (i32.const 0))
(invoke "set" (i32.const 44) (i32.const -3))
(invoke "set" (i32.const 65532) (i32.const 100))
(assert_return (invoke "walk" (i32.const 32) (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "walk" (i32.const 32) (i32.const 65533)) "out of bounds memory access")
;; Values 3: neither loop reads *q (the second list is the node at 0: next 0, value 0).
(invoke "set" (i32.const 36) (i32.const 3))
(invoke "set" (i32.const 44) (i32.const 3))
(assert_return (invoke "walk" (i32.const 32) (i32.const 65533)) (i32.const 0))
;; The node at 0 gets value 1: only the second loop reads *q.
(invoke "set" (i32.const 4) (i32.const 1))
(assert_trap (invoke "walk" (i32.const 32) (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "walk" (i32.const 32) (i32.const 65532)) (i32.const 0))
