;; RUN: lunaticc -O2 --bounds-checks
;; Bounds-checked mode: the end of the access is compared with the memory's size, and an
;; access past it traps with LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS (2); where nothing else
;; needs the end, the address is compared with the size less the end's offset instead,
;; computed where the size is read (passes/memory/check_limits.cpp). A function reads the
;; size and base on entry and again after every call, which may grow the memory.
(module
  (memory 1)
  (func $load (export "load") (param i32) (result i32)
    (i32.load offset=8 (local.get 0)))
  (func $grow_then_load (export "grow_then_load") (param i32) (result i32)
    (drop (i32.load (local.get 0)))
    (drop (memory.grow (i32.const 1)))
    (i32.load (local.get 0))))
;; CHECK-LABEL: define internal i32 @load(
;; CHECK: %memory.size = load i64, {{.*}}, !lunatic.memory.size
;; CHECK-NEXT: [[LIMIT:%.*]] = sub nsw i64 %memory.size, 12
;; CHECK: [[ADDRESS:%.*]] = zext i32 %0 to i64
;; CHECK-NEXT: icmp sgt i64 [[ADDRESS]], [[LIMIT]]
;; CHECK: call void @lunatic_trap(i32 2)
;; CHECK-LABEL: define internal i32 @grow_then_load(
;; CHECK: icmp ugt i64 [[END:%.*]], %memory.size
;; CHECK: call i32 @lunatic_memory_grow(
;; CHECK-NEXT: [[SIZE:%.*]] = load i64
;; CHECK-NEXT: icmp ugt i64 [[END]], [[SIZE]]
;; CHECK: [[BASE:%.*]] = load ptr, ptr %memory
;; CHECK-NEXT: getelementptr i8, ptr [[BASE]]
