;; The loops of tests/codegen/static_stencil.wat at their edges, run in both memory modes:
;; a column offset that counts from -32 up to 0 with addresses row + offset + 1000 (the
;; masked latch of passes/loop_utils.cpp), called where the addresses wrap round 4 GiB and
;; where the loop runs off the end of the memory; and in[c - w] (a subtracted invariant,
;; widened as -4 * w), called where c - w is negative and the address wraps.
(module
  (memory 1)

  ;; for (j = -32; j != 0; j += 16) { mem[row + j + 1000] += 1; mem[row + j + 1008] += 1 } (64-bit words)
  (func (export "bump") (param $row i32)
    (local $j i32) (local $a i32)
    (local.set $j (i32.const -32))
    (loop
      (local.set $a (i32.add (local.get $row) (local.get $j)))
      (i64.store (i32.add (local.get $a) (i32.const 1000))
                 (i64.add (i64.load (i32.add (local.get $a) (i32.const 1000))) (i64.const 1)))
      (i64.store (i32.add (local.get $a) (i32.const 1008))
                 (i64.add (i64.load (i32.add (local.get $a) (i32.const 1008))) (i64.const 1)))
      (br_if 0 (local.tee $j (i32.add (local.get $j) (i32.const 16))))))

  ;; for (c = 0; c < n; c += 2) { out[c] = in[c - w] + 1; out[c + 1] = in[c + 1 - w] + 1 } (32-bit words)
  (func (export "shift") (param $in i32) (param $out i32) (param $n i32) (param $w i32)
    (local $c i32) (local $p i32)
    (loop
      (local.set $p (i32.add (local.get $in) (i32.shl (i32.sub (local.get $c) (local.get $w)) (i32.const 2))))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
                 (i32.add (i32.load (local.get $p)) (i32.const 1)))
      (i32.store (i32.add (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (i32.const 4))
                 (i32.add (i32.load (i32.add (local.get $p) (i32.const 4))) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 2))) (local.get $n)))))

  (func (export "load64") (param $a i32) (result i64) (i64.load (local.get $a)))
  (func (export "load32") (param $a i32) (result i32) (i32.load (local.get $a)))
  (func (export "store32") (param $a i32) (param $v i32) (i32.store (local.get $a) (local.get $v))))

;; In range: words 968..1000 bumped once.
(assert_return (invoke "bump" (i32.const 0)))
(assert_return (invoke "load64" (i32.const 968)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 992)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 1000)) (i64.const 0))
;; row + j + 1000 wraps round 4 GiB to 8..40: Wasm's i32.add wraps, so the loop bumps the
;; words at 8, 16, 24 and 32 (row = 2^32 - 960).
(assert_return (invoke "bump" (i32.const -960)))
(assert_return (invoke "load64" (i32.const 8)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 32)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 40)) (i64.const 0))
;; Runs off the end of the memory in its second trip, after the stores before it: row =
;; 64544, the first trip bumps 65512 and 65520, the second 65528 and then traps at 65536.
(assert_trap (invoke "bump" (i32.const 64544)) "out of bounds memory access")
(assert_return (invoke "load64" (i32.const 65512)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 65520)) (i64.const 1))
(assert_return (invoke "load64" (i32.const 65528)) (i64.const 1))

;; in[c - w] in range: out[0..4) = in[-2..2) + 1 with in at 2000.
(assert_return (invoke "store32" (i32.const 1992) (i32.const 10)))
(assert_return (invoke "store32" (i32.const 1996) (i32.const 20)))
(assert_return (invoke "shift" (i32.const 2000) (i32.const 3000) (i32.const 4) (i32.const 2)))
(assert_return (invoke "load32" (i32.const 3000)) (i32.const 11))
(assert_return (invoke "load32" (i32.const 3004)) (i32.const 21))
(assert_return (invoke "load32" (i32.const 3008)) (i32.const 1))
;; in = 4: in[c - w] starts at 4 - 8, which wraps round 4 GiB to 2^32 - 4 and traps before
;; any store.
(assert_return (invoke "store32" (i32.const 5000) (i32.const 0)))
(assert_trap (invoke "shift" (i32.const 4) (i32.const 5000) (i32.const 64) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "load32" (i32.const 5000)) (i32.const 0))
;; in = 8, w = 2: in[c - w] starts at 0, a wide loop's range; 64 words copied + 1.
(assert_return (invoke "shift" (i32.const 8) (i32.const 6000) (i32.const 64) (i32.const 2)))
(assert_return (invoke "load32" (i32.const 6000)) (i32.const 1))
;; out runs off the end: the stores before the trap happen. out = 65536 - 8: out[0], out[1]
;; stored, out[2] traps.
(assert_trap (invoke "shift" (i32.const 2000) (i32.const 65528) (i32.const 64) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "load32" (i32.const 65528)) (i32.const 11))
(assert_return (invoke "load32" (i32.const 65532)) (i32.const 21))
