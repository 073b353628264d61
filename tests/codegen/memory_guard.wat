;; RUN: lunaticc -O2
;; Guard-page mode: a load is base + zext(address) + offset with no check at all, and the
;; memory base is an invariant load.
(module
  (memory 1)
  (func $load (export "load") (param i32) (result i32)
    (i32.load offset=8 (local.get 0))))
;; CHECK-LABEL: define internal i32 @load(
;; CHECK: load ptr, ptr %{{.*}}, !tbaa !{{[0-9]+}}, !invariant.load
;; CHECK-NOT: lunatic_trap(i32 2)
;; CHECK: zext i32 %{{[0-9]+}} to i64
;; CHECK: load i32, ptr %{{.*}}, align 1, !tbaa
;; CHECK: ret i32
