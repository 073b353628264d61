;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; Strip-mining (passes/preemption/strip_mining.cpp). $scale's loop, as compilers emit a
;; counted loop (a guard, then a test at the bottom), runs n times, up to 2^32 - 1: more
;; than a time slice pays for, so besides the check-free copy for a budget that covers it
;; (charge.need), the loop runs a slice at a time: the plan pays for all that remains if
;; it can, else (partial) for what the budget affords, else it yields; each slice runs
;; without checks (vectorised), and its end goes back to the plan until every iteration
;; has run. The exit count is n - 1, which wraps only where the guard keeps the loop from
;; running. $find may leave early: it keeps its checks.
(module
  (memory 1)
  (func $scale (export "scale") (param $p i32) (param $n i32) (local $i i32)
    (if (i32.eqz (local.get $n)) (then (return)))
    (loop
      (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))
        (i32.mul (i32.const 3)
          (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 0 (i32.ne (local.get $i) (local.get $n)))))
  (func $find (export "find") (param $p i32) (param $n i32) (param $x i32) (result i32) (local $i i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const -1))))
    (loop
      (if (i32.eq (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))) (local.get $x))
        (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if 0 (i32.ne (local.get $i) (local.get $n))))
    (i32.const -1)))

;; CHECK-LABEL: define internal void @scale(
;; CHECK: br i1 %charge.fits{{[^,]*}}, label %{{.*}}, label %{{.*}}
;; CHECK: loop.plan:
;; CHECK-NEXT: %slice.before = phi i64
;; CHECK: %slice.remaining = sub nuw nsw i64 %{{.*}}, %slice.before
;; CHECK-NEXT: %slice.whole = mul nuw nsw i64 %slice.remaining, [[COST:[0-9]+]]
;; CHECK: br i1 %slice.fits{{[^,]*}}, label %loop.partial, label %loop.slice
;; CHECK: loop.partial:
;; CHECK: %slice.afford = udiv i64 %{{.*}}, [[COST]]
;; CHECK: loop.yield.slice:
;; CHECK: store i64
;; CHECK-NEXT: call void @lunatic_yield(
;; CHECK-NEXT: %slice.refilled = load i64
;; CHECK: loop.slice:
;; CHECK-NEXT: %slice.trips{{[0-9]*}} = phi i64 {{.*}}[ 1, %loop.yield.slice ]
;; CHECK-NOT: lunatic_yield
;; CHECK: vector.body:
;; CHECK-NOT: lunatic_yield
;; CHECK: load <{{[0-9]+}} x i32>
;; CHECK-NOT: lunatic_yield
;; CHECK: loop.slice.end:
;; CHECK-NEXT: %slice.after = add nuw nsw i64 %slice.before, %slice.trips
;; CHECK-NEXT: icmp eq i64 %slice.after,
;; CHECK-NEXT: br i1 {{.*}}, label %{{.*}}, label %loop.plan
;; CHECK-LABEL: define internal i32 @find(
;; CHECK-NOT: slice.
;; CHECK: call void @lunatic_yield(
;; CHECK-NOT: slice.
;; CHECK: {{^}$}}

;; NOPREEMPT-NOT: slice.
;; NOPREEMPT-NOT: lunatic_yield
