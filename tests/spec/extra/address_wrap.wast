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
;; Rows of a static array (a constant address, as C's globals are): for i in [0, 64) and j in
;; [0, n), the word at 64512 + 16i + 4j. The outer loop's count is a constant, so
;; ScalarEvolution proves the row address does not wrap and folds the constant into it
;; ({64512,+,16} for the first half, {64514,+,16} for the second); the pass must still see
;; the two halves as 2 bytes apart (n-body's structs). The last row ends at the end of memory.
(module
  (memory 1)
  (data (i32.const 64512)
    "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00"
    "\09\00\00\00\0a\00\00\00\0b\00\00\00\0c\00\00\00\0d\00\00\00\0e\00\00\00\0f\00\00\00\10\00\00\00")
  (data (i32.const 65520) "\11\00\00\00\12\00\00\00\13\00\00\00\14\00\00\00")

  (func $word (param $a i32) (result i32)
    (i32.or (i32.load16_u (local.get $a))
            (i32.shl (i32.load16_u (i32.add (local.get $a) (i32.const 2))) (i32.const 16))))

  ;; s += word(64512 + 16i + 4j)
  (func (export "rows") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (block $done
        (loop $inner
          (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
          (local.set $s (i32.add (local.get $s)
            (call $word (i32.add (i32.add (i32.const 64512) (i32.shl (local.get $i) (i32.const 4)))
                                 (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 64))))
    (local.get $s))

  ;; word(64512 + 16i + 4j) *= 2, rows overlapping when n > 4
  (func (export "scale_rows") (param $n i32)
    (local $i i32) (local $j i32) (local $a i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (block $done
        (loop $inner
          (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
          (local.set $a (i32.add (i32.add (i32.const 64512) (i32.shl (local.get $i) (i32.const 4)))
                                 (i32.shl (local.get $j) (i32.const 2))))
          (i32.store (local.get $a) (i32.shl (call $word (local.get $a)) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 64)))))

  (func (export "load") (param $p i32) (result i32) (i32.load (local.get $p))))

(assert_return (invoke "rows" (i32.const 4)) (i32.const 210))
(assert_return (invoke "rows" (i32.const 2)) (i32.const 95))
(assert_return (invoke "rows" (i32.const 0)) (i32.const 0))
;; The last row's fifth word would be at 65536.
(assert_trap (invoke "rows" (i32.const 5)) "out of bounds memory access")
(assert_return (invoke "scale_rows" (i32.const 2)))
(assert_return (invoke "rows" (i32.const 4)) (i32.const 305))
;; Every row but the last runs to its fifth word, the next row's first; the last traps there.
(assert_trap (invoke "scale_rows" (i32.const 5)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 64512)) (i32.const 4))
(assert_return (invoke "load" (i32.const 64528)) (i32.const 40))
(assert_return (invoke "load" (i32.const 64544)) (i32.const 72))
(assert_return (invoke "load" (i32.const 64560)) (i32.const 104))
(assert_return (invoke "load" (i32.const 64564)) (i32.const 56))
(assert_return (invoke "load" (i32.const 64576)) (i32.const 0))
(assert_return (invoke "load" (i32.const 65520)) (i32.const 136))
(assert_return (invoke "load" (i32.const 65524)) (i32.const 72))
(assert_return (invoke "load" (i32.const 65528)) (i32.const 38))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 40))
