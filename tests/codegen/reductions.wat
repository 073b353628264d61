;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; Reduction counting (passes/reductions.cpp): loop headers, and the entries of functions that
;; can be re-entered (recursive ones, and those in a table), subtract their cost from the
;; budget, instance->reductions_left (offset 16), and call lunatic_yield, on an unlikely
;; branch, once it drops to zero or below. Other functions are paid for by their callers: $leaf's
;; cost goes to the charge that covers its call, or, for $maybe, which has none, to its own
;; callers. Outside loops a charge reads and writes the instance; within a loop the budget
;; lives in a register, loaded before the loop, stored before lunatic_yield and other calls
;; and when control leaves the loop. Costs count the instructions outside nested loops
;; (blocks excluded): $sum's loop body costs 13, $fact's body 10. $sum's loop, whose trip
;; count is unknown, is unrolled 4 times with one check for the 4 copies
;; (compiler/charge_unrolling.cpp). With --no-preempt nothing is charged.
(module
  (import "host" "f" (func $host))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $in_table)
  (func $sum (export "sum") (param i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
        (local.set 0 (i32.sub (local.get 0) (i32.const 4)))
        (br 0)))
    (local.get 1))
  (func $leaf (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func $caller (export "caller") (param i32) (result i32)
    (call $leaf (local.get 0)))
  (func $maybe (export "maybe") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $leaf (local.get 0)))
      (else (i32.const 0))))
  (func $fact (export "fact") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (i32.mul (local.get 0) (call $fact (i32.sub (local.get 0) (i32.const 1)))))))
  (func $in_table (param i32) (result i32)
    (local.get 0))
  (func $spin (export "spin")
    (loop (br 0)))
  (func $calls_out (export "calls_out") (result i32)
    (call $host)
    (i32.const 1)))

;; The marker import is internal: never declared, and the descriptor lists host.f only.
;; CHECK-NOT: lunatic_internal
;; host.f is not a runtime host function, so it carries no host slot.
;; CHECK: @imports = internal constant [1 x { ptr, ptr, i32, i32, ptr }] {{.*}} i32 0, i32 0, ptr null }]
;; CHECK-NOT: lunatic_internal
;; CHECK: @lunatic_main_module = {{.*}} { i32 6, i32 0, ptr @{{[^,]+}}, i32 {{[0-9]+}}, ptr @types, i32 1, ptr @imports,
;; CHECK-NOT: lunatic_internal
;; CHECK-LABEL: define internal i32 @sum(
;; No entry charge: the budget is read just before the loop.
;; CHECK: [[FIELD:%.*]] = getelementptr inbounds i8, ptr %instance, i64 16
;; CHECK-NEXT: %reductions.left = load i64, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS:![0-9]+]]
;; CHECK-NEXT: br label %loop
;; The loop header: four iterations charged at once on the register, no memory access
;; unless it yields.
;; CHECK: loop:
;; CHECK: [[BUDGET:%budget.*]] = phi i64
;; CHECK-NOT: load
;; CHECK: [[REST:%.*]] = add nsw i64 [[BUDGET]], -52
;; CHECK-NEXT: [[SPENT:%.*]] = icmp slt i64 [[REST]], 1
;; CHECK-NEXT: br i1 [[SPENT]], label %[[YIELD:.*]], label %{{.*}}, !prof [[UNLIKELY:![0-9]+]]
;; Zero or below (compiler/charge_branches.h: x86 fuses the subtraction with this branch):
;; stored back for the runtime, lunatic_yield, the refilled budget read again.
;; CHECK: [[YIELD]]:
;; CHECK-NEXT: store i64 [[REST]], ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: call void @lunatic_yield(ptr nonnull %instance)
;; CHECK-NEXT: load i64, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; Leaving the loop stores the budget back.
;; CHECK: loop.exit:
;; CHECK: store i64 %{{.*}}, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: ret i32
;; Only one check per four iterations.
;; CHECK-NOT: lunatic_yield
;; CHECK-LABEL: define internal i32 @leaf(
;; CHECK-NOT: reductions
;; CHECK-LABEL: define internal i32 @caller(
;; CHECK-NOT: reductions
;; CHECK-LABEL: define internal i32 @maybe(
;; CHECK-NOT: reductions
;; Recursive: charged on entry, on the instance itself.
;; CHECK-LABEL: define internal i32 @fact(
;; CHECK: [[FIELD:%.*]] = getelementptr inbounds i8, ptr %instance, i64 16
;; CHECK-NEXT: [[LEFT:%.*]] = load i64, ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: [[REST:%.*]] = add nsw i64 [[LEFT]], -10
;; CHECK-NEXT: store i64 [[REST]], ptr [[FIELD]], align 8, !tbaa [[REDUCTIONS]]
;; CHECK-NEXT: [[SPENT:%.*]] = icmp slt i64 [[REST]], 1
;; CHECK-NEXT: br i1 [[SPENT]], label %[[YIELD:.*]], label %{{.*}}, !prof [[UNLIKELY]]
;; CHECK: [[YIELD]]:
;; CHECK-NEXT: call void @lunatic_yield(ptr nonnull %instance), !lunatic.reductions
;; CHECK-NEXT: br label
;; CHECK-NOT: reductions
;; CHECK: notail call i32 @fact(
;; CHECK-NOT: reductions
;; CHECK: ret i32
;; In a table, so call_indirect may reach it from anywhere: charged on entry.
;; CHECK-LABEL: define internal i32 @in_table(
;; CHECK: add nsw i64 %{{.*}}, -1
;; CHECK: call void @lunatic_yield(ptr nonnull %instance)
;; CHECK-LABEL: define internal void @spin(
;; CHECK: call void @lunatic_yield(ptr %instance)
;; A call out of a function that holds no budget stores nothing.
;; CHECK-LABEL: define internal {{.*}}i32 @calls_out(
;; CHECK-NOT: reductions
;; CHECK: notail call void %code(
;; CHECK-NEXT: ret i32 1
;; CHECK: declare void @lunatic_yield(ptr) local_unnamed_addr [[YIELD_ATTRIBUTES:#[0-9]+]]
;; CHECK: attributes [[YIELD_ATTRIBUTES]] = { cold nounwind }
;; CHECK-DAG: [[UNLIKELY]] = !{!"branch_weights", i32 1, i32 1048576}
;; CHECK-DAG: [[REDUCTIONS]] = !{[[TYPE:![0-9]+]], [[TYPE]], i64 0}
;; CHECK-DAG: [[TYPE]] = !{!"reductions",

;; Bounds-checked mode: the memory's base and size are read once, before the loop, and stay
;; loop-invariant: lunatic_yield leaves the memory as it was (abi.h), so nothing reads them
;; again after it.
;; BOUNDS-LABEL: define internal i32 @sum(
;; BOUNDS: [[BASE:%memory.base]] = load ptr, ptr %memory, align 8, !tbaa !{{[0-9]+}}{{$}}
;; BOUNDS: [[SIZE:%memory.size]] = load i64, ptr %{{.*}}, align 8, !tbaa !{{[0-9]+}}, !lunatic.memory.size !{{[0-9]+}}{{$}}
;; BOUNDS-NEXT: [[LIMIT:%memory.limit[0-9]*]] = sub nsw i64 [[SIZE]],
;; BOUNDS: loop:
;; BOUNDS-NOT: load
;; BOUNDS: call void @lunatic_yield(ptr nonnull %instance)
;; BOUNDS-NEXT: load i64
;; BOUNDS-NEXT: br label
;; BOUNDS-NOT: load ptr
;; BOUNDS-NOT: phi ptr
;; BOUNDS: icmp sgt i64 %{{.*}}, [[LIMIT]]
;; BOUNDS-NOT: load ptr
;; BOUNDS: getelementptr i8, ptr [[BASE]]

;; NOPREEMPT-LABEL: define internal i32 @sum(
;; NOPREEMPT-NOT: reductions
;; NOPREEMPT-NOT: lunatic_yield
;; NOPREEMPT: define internal void @spin(
;; NOPREEMPT-NOT: reductions
;; NOPREEMPT-NOT: lunatic_yield
;; NOPREEMPT-NOT: lunatic_internal
