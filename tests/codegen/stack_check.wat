;; RUN: lunaticc -O2
;; Every function compares its frame address on entry with its instance's stack_limit (offset
;; 8 in lunatic_instance, an invariant load; never a thread-local, as processes move between
;; threads), and self-recursion stays a call (so unbounded recursion exhausts the stack and
;; traps with 10). A frame of a page or more is checked whole, before the prologue allocates
;; it, by the runtime's lunatic_stack_probe, never by probes that touch the pages below
;; (tests/isolation/stack_frames.py runs such frames).
(module
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))
;; CHECK-NOT: lunatic_stack_limit
;; CHECK-LABEL: define internal i64 @fac(
;; CHECK: call ptr @llvm.frameaddress.p0(i32 0)
;; CHECK: [[FIELD:%.*]] = getelementptr inbounds i8, ptr %instance, i64 8
;; CHECK: %stack.limit = load i64, ptr [[FIELD]], align 8, !tbaa !{{[0-9]+}}, !invariant.load
;; CHECK: icmp ugt i64 %stack.limit
;; CHECK-DAG: notail call i64 @fac(
;; CHECK-DAG: call void @lunatic_trap(i32 10)
;; CHECK: attributes #{{[0-9]+}} = { {{.*}}"frame-pointer"="all"{{.*}}"probe-stack"="lunatic_stack_probe" "stack-probe-size"="4096"
