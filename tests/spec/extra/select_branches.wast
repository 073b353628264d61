;; Selects on a loop-invariant condition whose one side becomes a branch around its work
;; (passes/codegen/select_branches.cpp). $dither as in tests/codegen/select_branches.wat: c is
;; used by both sides of the select on $flag, so it must be computed whichever way the branch
;; goes; the results are those of the loop computed without the transformation.
(module
  (memory 1)
  ;; acc = acc * 31 + v over i < n, v = flag ? c : ((seed >> 16) % 5 == 0 ? seed >> 20 : c),
  ;; c = (i / 200 + 3) % 6, seed stepping as rle's does: the select on flag (loop-invariant)
  ;; has a side of its own work (shifts, remainder, inner select) and shares c with the other.
  (func $dither (export "dither") (param $n i32) (param $flag i32) (result i32)
    (local $i i32) (local $seed i32) (local $c i32) (local $acc i32)
    (local.set $seed (i32.const 3))
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1103515245)) (i32.const 12345)))
        (local.set $c (i32.rem_u (i32.add (i32.div_u (local.get $i) (i32.const 200)) (i32.const 3)) (i32.const 6)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31))
          (select (local.get $c)
                  (select (i32.shr_u (local.get $seed) (i32.const 20)) (local.get $c)
                          (i32.eqz (i32.rem_u (i32.shr_u (local.get $seed) (i32.const 16)) (i32.const 5))))
                  (local.get $flag))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br 0)))
    (local.get $acc)))

(assert_return (invoke "dither" (i32.const 0) (i32.const 0)) (i32.const 0))
(assert_return (invoke "dither" (i32.const 0) (i32.const 1)) (i32.const 0))
(assert_return (invoke "dither" (i32.const 1) (i32.const 0)) (i32.const 3157))
(assert_return (invoke "dither" (i32.const 1) (i32.const 1)) (i32.const 3))
(assert_return (invoke "dither" (i32.const 1000) (i32.const 0)) (i32.const -1558016195))
(assert_return (invoke "dither" (i32.const 1000) (i32.const 1)) (i32.const 365671040))
(assert_return (invoke "dither" (i32.const 5000) (i32.const 0)) (i32.const -1316423819))
(assert_return (invoke "dither" (i32.const 5000) (i32.const 7)) (i32.const -1502297216))
(assert_return (invoke "dither" (i32.const 5000) (i32.const -1)) (i32.const -1502297216))
