;; RUN: lunaticc -O2 --bounds-checks
;; RUN: lunaticc -O2 | FileCheck --check-prefix=GUARD
;; A loop that ScalarEvolution bounds only through its traps (passes/loop_utils.h,
;; boundedOnlyByTraps). $digits reads digits until a byte that is not one: it leaves the
;; loop at one place, and bounds-checked, the only bound on its trips is the check of each
;; byte, at the end of memory. Neither loop versioning nor address widening gives it a
;; second version (no charge.need, no addr.fits): the budget would never cover a run to the
;; end of memory, and the copy without bounds checks would need an address past its end in
;; bounds. Charge unrolling treats it as a loop of unknown trip count instead: four copies
;; of the body, each with its own bounds check, and one reduction check for the four. With
;; guard pages the loop has no bound at all, and is unrolled the same way.
(module
  (memory 1)
  (func $digits (export "digits") (param $p i32) (result i64) (local $v i64) (local $c i32)
    (block $done
      (loop $next
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $v)))

;; CHECK-LABEL: define internal i64 @digits(
;; CHECK-NOT: charge.need
;; CHECK-NOT: addr.fits
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: call void @lunatic_yield
;; CHECK: icmp ugt i64 %memory.size
;; CHECK: call void @lunatic_trap(
;; CHECK-COUNT-4: load i8
;; CHECK-NOT: call void @lunatic_yield
;; CHECK-LABEL: define internal void @digits.array(

;; GUARD-LABEL: define internal i64 @digits(
;; GUARD-NOT: charge.need
;; GUARD: call void @lunatic_yield(
;; GUARD-COUNT-4: load i8
;; GUARD-NOT: call void @lunatic_yield
;; GUARD-LABEL: define internal void @digits.array(
