;; RUN: lunaticc -O2 --bounds-checks --no-preempt
;; passes/memory/check_limits.cpp: a bounds check that alone decides its branch to the trap
;; compares the address with the memory's size less the access's end, computed once where
;; the size is read (outside the loop), instead of the address's end with the size (the
;; check of the load at +16 covers the one at +0, LLVM drops the latter). A
;; compare of a guest i64 against a sum is left as it is: nothing bounds the guest's value.
(module
  (memory 1)
  (func (export "sum") (param $p i32) (param $n i32) (result i64)
    (local $s i64)
    (loop $next
      (local.set $s (i64.add (local.get $s) (i64.load offset=16 (local.get $p))))
      (local.set $p (i32.load (local.get $p)))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "guest") (param $x i32) (param $y i64)
    (if (i64.gt_u (i64.add (i64.extend_i32_u (local.get $x)) (i64.const 8)) (local.get $y))
      (then (unreachable)))))
;; CHECK-LABEL: define internal i64 @sum(
;; CHECK: %memory.size = load i64, {{.*}}, !lunatic.memory.size
;; CHECK-NEXT: [[LIMIT:%.*]] = sub nsw i64 %memory.size, 24
;; CHECK: loop:
;; CHECK-NEXT: phi
;; CHECK-NEXT: phi
;; CHECK-NEXT: [[POINTER:%.*]] = phi i32
;; CHECK-NEXT: [[ADDRESS:%.*]] = zext i32 [[POINTER]] to i64
;; CHECK-NEXT: [[OUT:%.*]] = icmp sgt i64 [[ADDRESS]], [[LIMIT]]
;; CHECK-NEXT: br i1 [[OUT]], label %trap
;; CHECK-LABEL: define internal void @guest(
;; CHECK: [[END:%.*]] = add nuw nsw i64 %{{.*}}, 8
;; CHECK-NEXT: icmp ugt i64 [[END]], %1
