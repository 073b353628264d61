;; Loops whose i32 address arithmetic wraps around 4 GiB, and the same loops where it does
;; not: compiler/address_widening.cpp runs a copy of such a loop with 64-bit addresses only
;; when none of its addresses can wrap, and the loop as it was otherwise. Each function is
;; called both ways; the wrapped calls must read and write the low addresses Wasm's i32.add
;; wraps to, not trap. Every loop accesses addresses a constant apart (a word read as two
;; halves), which is what makes the pass widen it.
(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00")

  ;; s += load(p + 4i) for i in [from, to)
  (func (export "sum") (param $p i32) (param $from i32) (param $to i32) (result i32)
    (local $s i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i32.add (local.get $s)
          (call $word (i32.add (local.get $p) (i32.shl (local.get $from) (i32.const 2))))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br 0)))
    (local.get $s))

  ;; The word at a, read as two halves at a and a + 2 (inlined into the loops).
  (func $word (param $a i32) (result i32)
    (i32.or (i32.load16_u (local.get $a))
            (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.const 2))) (i32.const 16))))

  ;; The same downwards, i from `from` down over n values, with a constant -4 after the
  ;; index: s += load(p + 4i - 4).
  (func (export "sum_down") (param $p i32) (param $from i32) (param $n i32) (result i32)
    (local $s i32) (local $k i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (call $word (i32.add
            (i32.add (local.get $p) (i32.shl (i32.sub (local.get $from) (local.get $k)) (i32.const 2)))
            (i32.const -4)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br 0)))
    (local.get $s))

  ;; Unrolled by two, as clang emits for wasm32: for n pairs at byte offsets o = from + 8k,
  ;; dst[o] += src[o] and dst[o + 4] += src[o + 4], each address an i32.add of its own.
  (func (export "add_pairs") (param $dst i32) (param $src i32) (param $from i32) (param $n i32)
    (local $d i32) (local $s i32) (local $k i32) (local $o i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $k) (local.get $n)))
        (local.set $o (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $d (i32.add (local.get $dst) (local.get $o)))
        (local.set $s (i32.add (local.get $src) (local.get $o)))
        (i32.store (local.get $d) (i32.add (i32.load (local.get $d)) (i32.load (local.get $s))))
        (i32.store (i32.add (local.get $d) (i32.const 4))
          (i32.add (i32.load (i32.add (local.get $d) (i32.const 4)))
                   (i32.load (i32.add (local.get $s) (i32.const 4)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br 0))))

  ;; With a memarg offset on top: s += load offset=8 (p + 4i), as two halves.
  (func (export "sum_offset") (param $p i32) (param $from i32) (param $to i32) (result i32)
    (local $s i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i32.add (local.get $s)
          (i32.or
            (i32.load16_u offset=8 (i32.add (local.get $p) (i32.shl (local.get $from) (i32.const 2))))
            (i32.shl (i32.load16_u offset=8
                       (i32.add (i32.add (local.get $p) (i32.shl (local.get $from) (i32.const 2))) (i32.const 2)))
                     (i32.const 16)))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br 0)))
    (local.get $s))

  (func (export "load") (param $p i32) (result i32) (i32.load (local.get $p))))

;; No wrap.
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 6)) (i32.const 21))
(assert_return (invoke "sum" (i32.const 8) (i32.const 0) (i32.const 4)) (i32.const 18))
;; p = 2^32 - 8: from i = 2 on, p + 4i wraps to 0, 4, 8, 12.
(assert_return (invoke "sum" (i32.const -8) (i32.const 2) (i32.const 6)) (i32.const 10))
;; The first iterations do not wrap, and trap out of bounds as they should.
(assert_trap (invoke "sum" (i32.const -8) (i32.const 0) (i32.const 6)) "out of bounds memory access")
;; A range that ends exactly at 4 GiB.
(assert_trap (invoke "sum" (i32.const -24) (i32.const 0) (i32.const 6)) "out of bounds memory access")

(assert_return (invoke "sum_down" (i32.const 0) (i32.const 6) (i32.const 6)) (i32.const 21))
;; p = 2^32 - 16, i from 9 down to 5: p + 4i - 4 wraps to 16, 12, 8, 4, 0.
(assert_return (invoke "sum_down" (i32.const -16) (i32.const 9) (i32.const 5)) (i32.const 15))
;; ... and i = 4 is 2^32 - 4: out of bounds.
(assert_trap (invoke "sum_down" (i32.const -16) (i32.const 9) (i32.const 6)) "out of bounds memory access")

(assert_return (invoke "sum_offset" (i32.const 0) (i32.const 0) (i32.const 4)) (i32.const 18))
;; p + 4i wraps to 0, 4, 8, 12; the offset is added after the wrap: 8, 12, 16, 20.
(assert_return (invoke "sum_offset" (i32.const -16) (i32.const 4) (i32.const 8)) (i32.const 18))

;; dst = 2^32 - 8 and src = 8: from o = 8 on, dst + o wraps to 0, 4, 8, 12 while src + o
;; is 16, 20, 24, 28 (zeros past the data): memory becomes 6 8 3 4 5 6.
(assert_return (invoke "add_pairs" (i32.const -8) (i32.const 8) (i32.const 8) (i32.const 2)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 6)) (i32.const 32))
;; dst = 0 and src = 2^32 - 16, which wraps to 0 at o = 16: 6 8 3 4 11 14 3 4.
(assert_return (invoke "add_pairs" (i32.const 0) (i32.const -16) (i32.const 16) (i32.const 2)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 8)) (i32.const 53))
(assert_return (invoke "load" (i32.const 16)) (i32.const 11))
(assert_return (invoke "load" (i32.const 20)) (i32.const 14))
;; Without a wrap, overlapping by 4 bytes (dst = src + 4): each store is read by the next
;; load of src, as in a scalar loop: 6 14 17 21 32.
(assert_return (invoke "add_pairs" (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 2)))
(assert_return (invoke "load" (i32.const 4)) (i32.const 14))
(assert_return (invoke "load" (i32.const 8)) (i32.const 17))
(assert_return (invoke "load" (i32.const 12)) (i32.const 21))
(assert_return (invoke "load" (i32.const 16)) (i32.const 32))
;; Long enough to run vectorised: the same overlap over 256 bytes, then a copy that does not
;; overlap (dst = src + 512).
(assert_return (invoke "add_pairs" (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 32)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 66)) (i32.const 6860))
(assert_return (invoke "add_pairs" (i32.const 512) (i32.const 0) (i32.const 0) (i32.const 33)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 0) (i32.const 200)) (i32.const 13720))
;; A run that leaves memory in its third pair: the two pairs before it are stored, then it
;; traps (bounds-checked mode checks the whole range before the loop, and runs the loop
;; with its checks when the range does not fit).
(assert_trap (invoke "add_pairs" (i32.const 65520) (i32.const 0) (i32.const 0) (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65520)) (i32.const 6))
(assert_return (invoke "load" (i32.const 65524)) (i32.const 20))
(assert_return (invoke "load" (i32.const 65528)) (i32.const 37))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 58))
(assert_trap (invoke "sum_offset" (i32.const 65500) (i32.const 0) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "sum_offset" (i32.const 65500) (i32.const 0) (i32.const 6)) (i32.const 63))
