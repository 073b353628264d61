;; RUN: lunaticc -O2
;; Calls through a lunatic_func (imports, call_indirect) pass func->instance, or the caller's
;; own instance when that is NULL (abi.h: host functions and the func objects shared by all
;; processes of a module have none).
(module
  (import "host" "f" (func $f (param i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (func $imported (export "imported") (param i32) (result i32)
    (call $f (local.get 0)))
  (func $indirect (export "indirect") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0))))
;; CHECK-LABEL: define internal i32 @imported(
;; CHECK: %callee.instance = load ptr, ptr {{%.*}}, align 8, !tbaa !{{[0-9]+}}, !invariant.load
;; CHECK: [[NULL:%.*]] = icmp eq ptr %callee.instance, null
;; CHECK: [[ARG:%.*]] = select i1 [[NULL]], ptr %instance, ptr %callee.instance
;; CHECK: notail call i32 %code(ptr [[ARG]], i32 %0)
;; CHECK-LABEL: define internal i32 @indirect(
;; CHECK: %callee.instance = load ptr
;; CHECK: [[NULL:%.*]] = icmp eq ptr %callee.instance, null
;; CHECK: [[ARG:%.*]] = select i1 [[NULL]], ptr %instance, ptr %callee.instance
;; CHECK: notail call i32 %code(ptr [[ARG]], i32 %0)
