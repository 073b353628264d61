;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; memory.copy and memory.fill are lowered inline, in either mode: each range is checked
;; whole (a trap, LUNATIC_TRAP_MEMORY_OUT_OF_BOUNDS (2), comes before any byte is
;; written), then llvm.memmove / llvm.memset do the work, so one of a small constant
;; length becomes a few moves and nothing is called out (no runtime helper, no budget
;; flushed, no memory reloaded after it: in bounds-checked mode the load after the copy
;; needs no check of its own, as the copy's covers it).
(module
  (memory 1)
  (func $copy (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func $fill (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func $copy16_then_load (export "copy16_then_load") (param i32 i32) (result i32)
    (memory.copy (local.get 0) (local.get 1) (i32.const 16))
    (i32.load (local.get 0))))
;; CHECK-LABEL: define internal void @copy(
;; CHECK: %memory.size = load i64
;; CHECK: [[DEST:%.*]] = zext i32 %0 to i64
;; CHECK: [[LENGTH:%.*]] = zext i32 %2 to i64
;; CHECK: [[DEND:%.*]] = add nuw nsw i64 [[LENGTH]], [[DEST]]
;; CHECK: icmp ugt i64 [[DEND]], %memory.size
;; CHECK: call void @lunatic_trap(i32 2)
;; CHECK: [[SOURCE:%.*]] = zext i32 %1 to i64
;; CHECK: [[SEND:%.*]] = add nuw nsw i64 [[LENGTH]], [[SOURCE]]
;; CHECK: icmp ugt i64 [[SEND]], %memory.size
;; CHECK: [[TO:%.*]] = getelementptr i8, ptr %memory.base, i64 [[DEST]]
;; CHECK: [[FROM:%.*]] = getelementptr i8, ptr %memory.base, i64 [[SOURCE]]
;; CHECK: call void @llvm.memmove.p0.p0.i64(ptr align 1 [[TO]], ptr align 1 [[FROM]], i64 [[LENGTH]], i1 false)
;; CHECK-NOT: call
;; CHECK-LABEL: define internal void @fill(
;; CHECK: [[DEST:%.*]] = zext i32 %0 to i64
;; CHECK: [[LENGTH:%.*]] = zext i32 %2 to i64
;; CHECK: [[END:%.*]] = add nuw nsw i64 [[LENGTH]], [[DEST]]
;; CHECK: icmp ugt i64 [[END]], %memory.size
;; CHECK: [[VALUE:%.*]] = trunc i32 %1 to i8
;; CHECK: call void @llvm.memset.p0.i64(ptr align 1 %{{.*}}, i8 [[VALUE]], i64 [[LENGTH]], i1 false)
;; CHECK-NOT: call
;; CHECK-LABEL: define internal i32 @copy16_then_load(
;; CHECK: call void @llvm.memmove.p0.p0.i64({{.*}}, i64 16, i1 false)
;; CHECK-NOT: call
;; CHECK: ret i32
;; BOUNDS-LABEL: define internal i32 @copy16_then_load(
;; BOUNDS: %memory.size = load i64
;; BOUNDS: [[TO:%.*]] = getelementptr i8, ptr %memory.base
;; BOUNDS: call void @llvm.memmove.p0.p0.i64({{.*}}, i64 16, i1 false)
;; BOUNDS-NEXT: load i32, ptr [[TO]]
;; BOUNDS-NEXT: ret i32
