;; RUN: lunaticc -O2 --no-preempt
;; A select on a loop-invariant condition with work of its own on one side becomes a branch
;; around that work (passes/codegen/select_branches.cpp). $dither is rle's dithering as
;; clang-19 compiles it for wasm32: a select on $flag between c and a select computed from the
;; seed by shifts and a remainder, c shared by both sides (it must stay out of the branch).
;; The runtime side is tests/spec/extra/select_branches.wast.
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

;; CHECK-LABEL: @dither(
;; CHECK: %[[FLAG:.*]] = icmp eq i32 %1, 0
;; CHECK-NOT: select i1 %[[FLAG]]
;; CHECK: mul i32 %{{.*}}, 1103515245
;; CHECK: %[[C:[0-9]+]] = urem i32 %{{.*}}, 6
;; CHECK: br i1 %[[FLAG]], label %[[WORK:[0-9]+]], label
;; CHECK: [[WORK]]:
;; CHECK: urem i16 %{{.*}}, 5
;; CHECK: phi i1
;; CHECK: select i1 %{{.*}}, i32 %{{.*}}, i32 %[[C]]
;; CHECK-LABEL: @dither.array(
