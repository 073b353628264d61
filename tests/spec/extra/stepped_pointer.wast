;; Loops that step an i32 pointer by 16 until it equals an end, as clang unrolls a loop by
;; two for wasm32 (passes/loop_utils.cpp, equalLimitBound): address widening and the
;; check-free copy of reduction counting run them only when 16 divides the distance to the
;; end, which is the only case where their trip count is known. Each is called where the
;; distance is a multiple of 16, where it is not (the pointer then steps past the end, wraps
;; round 4 GiB, and the loop runs on until it leaves the memory), and where the pointer wraps
;; round 4 GiB before it meets the end.
(module
  (memory 1)

  ;; for (q = p; q != end; q += 16) { mem[q + k] += 1; mem[q + k + 8] += 1 } (64-bit words)
  (func (export "bump") (param $p i32) (param $end i32) (param $k i32)
    (local $a i32)
    (block
      (br_if 0 (i32.eq (local.get $p) (local.get $end)))
      (loop
        (local.set $a (i32.add (local.get $p) (local.get $k)))
        (i64.store (local.get $a) (i64.add (i64.load (local.get $a)) (i64.const 1)))
        (i64.store offset=8 (local.get $a) (i64.add (i64.load offset=8 (local.get $a)) (i64.const 1)))
        (br_if 0 (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))))

  ;; The sum of the 64-bit words at [from, to), as an i64.
  (func (export "sum") (param $from i32) (param $to i32) (result i64)
    (local $s i64)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i64.add (local.get $s) (i64.load (local.get $from))))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (br 0)))
    (local.get $s))

  (func (export "load") (param $a i32) (result i64) (i64.load (local.get $a))))

;; 16 words from 0 to 128: each bumped once.
(assert_return (invoke "bump" (i32.const 0) (i32.const 128) (i32.const 0)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 128)) (i64.const 16))
;; Long enough to be vectorised: 4 KiB from 1024.
(assert_return (invoke "bump" (i32.const 1024) (i32.const 5120) (i32.const 0)))
(assert_return (invoke "sum" (i32.const 1024) (i32.const 5120)) (i64.const 512))
(assert_return (invoke "sum" (i32.const 5120) (i32.const 5128)) (i64.const 0))
;; The pointer runs from 2^32 - 64 round 4 GiB to 64 (k = 128 maps it into memory: 64 to
;; 192): 8 iterations, 16 words.
(assert_return (invoke "bump" (i32.const -64) (i32.const 64) (i32.const 128)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 256)) (i64.const 32))
(assert_return (invoke "load" (i32.const 56)) (i64.const 1))
(assert_return (invoke "load" (i32.const 64)) (i64.const 2))
(assert_return (invoke "load" (i32.const 184)) (i64.const 1))
(assert_return (invoke "load" (i32.const 192)) (i64.const 0))
;; The distance 8 is no multiple of 16: the pointer steps over the end and on to the end of
;; memory, bumping every word from 8192 on, and traps at 65536. Every word before the trap
;; was bumped, in order.
(assert_trap (invoke "bump" (i32.const 8192) (i32.const 8200) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 8192) (i32.const 65536)) (i64.const 7168))
(assert_return (invoke "load" (i32.const 65528)) (i64.const 1))
(assert_return (invoke "load" (i32.const 8184)) (i64.const 0))
;; A distance that is a multiple of 16 but runs off the end of memory: the words up to the
;; end are bumped, then it traps.
(assert_trap (invoke "bump" (i32.const 65280) (i32.const 65792) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 65280) (i32.const 65536)) (i64.const 64))
