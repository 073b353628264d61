;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; A function that only direct calls reach takes memory 0's base (and, bounds-checked, its
;; size) as arguments after the instance, so its first access waits on no load of the
;; instance; its callers pass what they hold. Functions that escape (exported, in a table)
;; keep abi.h's signature and read the memory through the instance, and so does one whose
;; arguments would no longer all fit in the six integer registers.
(module
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $in_table)
  ;; List walks: recursive, so that inlining leaves them in place.
  (func $walk (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.load offset=4 (local.get 0)) (call $walk (i32.load (local.get 0)))))))
  (func $in_table (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.load offset=4 (local.get 0)) (call $in_table (i32.load (local.get 0)))))))
  (func $wide (param i32 i32 i32 i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 4))
      (else (call $wide (i32.load (local.get 0)) (local.get 1) (local.get 2) (local.get 3)
                        (i32.add (local.get 4) (i32.load offset=4 (local.get 0)))))))
  (func (export "run") (param i32) (result i32)
    (i32.add (i32.add (call $walk (local.get 0)) (call $in_table (local.get 0)))
             (call $wide (local.get 0) (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)))))
;; CHECK-LABEL: define internal i32 @walk(ptr %instance, ptr {{.*}}%memory.base.arg, i32 %0)
;; CHECK-NOT: load ptr, ptr %instance
;; CHECK: getelementptr i8, ptr %memory.base.arg
;; CHECK: notail call i32 @walk(ptr nonnull %instance, ptr %memory.base.arg, i32
;; CHECK-LABEL: define internal i32 @in_table(ptr %instance, i32 %0)
;; CHECK: %memory = load ptr, ptr %instance
;; CHECK: notail call i32 @in_table(ptr nonnull %instance, i32
;; CHECK-LABEL: define internal i32 @wide(ptr %instance, i32 %0, i32 %1, i32 %2, i32 %3, i32 %4)
;; CHECK: %memory = load ptr, ptr %instance
;; CHECK-LABEL: define internal i32 @run(ptr %instance, i32 %0)
;; CHECK: %memory.base = load ptr, ptr %memory
;; CHECK: call i32 @walk(ptr nonnull %instance, ptr %memory.base, i32 %0)
;; BOUNDS-LABEL: define internal i32 @walk(ptr %instance, ptr {{.*}}%memory.base.arg, i64 "lunatic.memory.size" %memory.size.arg, i32 %0)
;; BOUNDS-NOT: load ptr, ptr %instance
;; BOUNDS: [[LIMIT:%.*]] = sub nsw i64 %memory.size.arg, 8
;; BOUNDS: icmp sgt i64 %{{.*}}, [[LIMIT]]
;; BOUNDS: notail call i32 @walk(ptr nonnull %instance, ptr %memory.base.arg, i64 %memory.size.arg, i32
;; BOUNDS-LABEL: define internal i32 @wide(ptr %instance, i32 %0, i32 %1, i32 %2, i32 %3, i32 %4)
;; BOUNDS-LABEL: define internal i32 @run(ptr %instance, i32 %0)
;; BOUNDS: call i32 @walk(ptr nonnull %instance, ptr %memory.base, i64 %memory.size, i32 %0)
