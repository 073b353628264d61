;; RUN: lunaticc -O2 --bounds-checks
;; Bounds-checked mode: the end of the access is compared with the memory's size, and an
;; access past it traps with LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS (2).
(module
  (memory 1)
  (func $load (export "load") (param i32) (result i32)
    (i32.load offset=8 (local.get 0))))
;; CHECK-LABEL: define internal i32 @load(
;; CHECK: [[END:%.*]] = add nuw nsw i64 %{{.*}}, 12
;; CHECK: icmp ugt i64 [[END]], %memory.size
;; CHECK: call void @lunatic_trap(i32 2)
