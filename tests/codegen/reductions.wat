;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; Reduction counting (passes/reductions.cpp): function entries and loop headers subtract
;; their cost from the budget, instance->reductions_left (offset 16), and call lunatic_yield,
;; on an unlikely branch, once it drops below zero. Within a function the budget lives in a
;; register: it is loaded at entry and after calls, and stored back before calls (lunatic_yield
;; among them) and returns. Costs count the instructions outside nested
;; loops (blocks excluded): $sum's body costs 2 (the loop, local.get), its loop's body 13.
;; Small leaves without loops are not charged; with --no-preempt nothing is.
(module
  (import "host" "f" (func $host))
  (memory 1)
  (func $sum (export "sum") (param i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 4)))
        (br 0)))
    (local.get 1))
  (func $leaf (export "leaf") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $caller (export "caller") (param i32) (result i32)
    (call $leaf (local.get 0)))
  (func $spin (export "spin")
    (loop (br 0)))
  (func $calls_out (export "calls_out") (result i32)
    (call $host)
    (i32.const 1)))

;; The marker import is internal: never declared, and the descriptor lists host.f only.
;; CHECK-NOT: lunatic_internal
;; CHECK: @imports = internal constant [1 x { ptr, ptr, i32, i32 }]
;; CHECK-NOT: lunatic_internal
;; CHECK: @lunatic_main_module = {{.*}} { i32 2, i32 0, ptr @{{[^,]+}}, i32 {{[0-9]+}}, ptr @types, i32 1, ptr @imports,
;; CHECK-NOT: lunatic_internal
;; CHECK-LABEL: define internal i32 @sum(
;; On entry: reductions_left into a register, charged 2.
;; CHECK: [[FIELD:%.*]] = getelementptr inbounds i8, ptr %instance, i64 16
;; CHECK-NEXT: %reductions.left = load i64, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS:![0-9]+]]
;; CHECK: %reductions.rest = add i64 %reductions.left, -2
;; CHECK-NEXT: [[SPENT:%.*]] = icmp slt i64 %reductions.rest, 0
;; CHECK-NEXT: br i1 [[SPENT]], label %yield, label %{{.*}}, !prof [[UNLIKELY:![0-9]+]]
;; Below zero: stored back for the runtime, lunatic_yield, the refilled budget read again.
;; CHECK: yield:
;; CHECK-NEXT: store i64 %reductions.rest, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: call void @lunatic_yield(ptr nonnull %instance)
;; CHECK-NEXT: load i64, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; Returning stores the budget back.
;; CHECK: store i64 %{{.*}}, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: ret i32
;; The loop header: charged 13 on the register, no memory access unless it yields.
;; CHECK: loop:
;; CHECK-NEXT: [[BUDGET:%.*]] = phi i64
;; CHECK-NOT: load
;; CHECK: [[REST:%.*]] = add i64 [[BUDGET]], -13
;; CHECK-NEXT: [[SPENT:%.*]] = icmp slt i64 [[REST]], 0
;; CHECK-NEXT: br i1 [[SPENT]], label %[[YIELD:.*]], label %{{.*}}, !prof [[UNLIKELY]]
;; CHECK: [[YIELD]]:
;; CHECK-NEXT: store i64 [[REST]], ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: call void @lunatic_yield(ptr nonnull %instance)
;; CHECK-LABEL: define internal i32 @leaf(
;; CHECK-NOT: reductions
;; CHECK: ret i32
;; CHECK-LABEL: define internal i32 @caller(
;; CHECK: add i64 %reductions.left, -2
;; CHECK-LABEL: define internal void @spin(
;; CHECK: call void @lunatic_yield(ptr nonnull %instance)
;; Calls that leave the function see the budget in the instance and may change it.
;; CHECK-LABEL: define internal {{.*}}i32 @calls_out(
;; CHECK: [[FIELD:%.*]] = getelementptr inbounds i8, ptr %instance, i64 16
;; CHECK: add i64 %reductions.left, -2
;; (Reading it again after the call and storing it on return cancel out here.)
;; CHECK: run:
;; CHECK: store i64 %budget{{.*}}, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: notail call void %code(
;; CHECK-NEXT: ret i32 1
;; CHECK: declare void @lunatic_yield(ptr) local_unnamed_addr [[YIELD_ATTRIBUTES:#[0-9]+]]
;; CHECK: attributes [[YIELD_ATTRIBUTES]] = { cold nounwind }
;; CHECK-DAG: [[UNLIKELY]] = !{!"branch_weights", i32 1, i32 1048576}
;; CHECK-DAG: [[REDUCTIONS]] = !{[[TYPE:![0-9]+]], [[TYPE]], i64 0}
;; CHECK-DAG: [[TYPE]] = !{!"reductions",

;; Bounds-checked mode: the memory's base and size stay in registers through the loop and
;; are read again only after lunatic_yield, which may have grown the memory.
;; BOUNDS-LABEL: define internal i32 @sum(
;; BOUNDS: loop:
;; BOUNDS-NOT: load
;; BOUNDS: call void @lunatic_yield(ptr nonnull %instance)
;; BOUNDS-NEXT: load i64
;; BOUNDS-NEXT: [[BASE:%.*]] = load ptr, ptr %memory, align 8, !tbaa !{{[0-9]+}}{{$}}
;; BOUNDS-NEXT: [[SIZE:%.*]] = load i64, ptr %{{.*}}, align 8, !tbaa !{{[0-9]+}}{{$}}
;; BOUNDS: [[SIZE_NOW:%.*]] = phi i64 [ [[SIZE]], %{{.*}} ], [ %{{.*}}, %loop ]
;; BOUNDS-NEXT: [[BASE_NOW:%.*]] = phi ptr [ [[BASE]], %{{.*}} ], [ %{{.*}}, %loop ]
;; BOUNDS-NOT: load ptr
;; BOUNDS: icmp ugt i64 %{{.*}}, [[SIZE_NOW]]
;; BOUNDS-NOT: load ptr
;; BOUNDS: getelementptr i8, ptr [[BASE_NOW]]

;; NOPREEMPT-LABEL: define internal i32 @sum(
;; NOPREEMPT-NOT: reductions
;; NOPREEMPT-NOT: lunatic_yield
;; NOPREEMPT: define internal void @spin(
;; NOPREEMPT-NOT: reductions
;; NOPREEMPT-NOT: lunatic_yield
;; NOPREEMPT-NOT: lunatic_internal
