;; RUN: lunaticc -O2
;; RUN: lunaticc -O2 --no-preempt | FileCheck --check-prefix=NOPREEMPT
;; RUN: lunaticc -O2 --bounds-checks | FileCheck --check-prefix=BOUNDS
;; Byte-compare loops skip 16 equal bytes at once (compiler/byte_compare.cpp). $cmp is
;; wasi-libc's memcmp as clang-19 -O2 compiles it. Each iteration, after its reduction
;; charge, checks that 16 more iterations would go round (skip.room) and that both blocks
;; are readable (within a 4 KiB page; bounds-checked: within the memory's size), compares
;; the blocks as vectors and, if equal, goes to the header with every induction variable 16
;; steps on and the budget 15 more charges down. If they differ first at byte k > 0, it goes
;; to the header k steps on with skip.allowed false (that iteration leaves by its own byte
;; compare); at k = 0 to iteration j's byte compare. The runtime side is
;; tests/spec/extra/byte_compare.wast.
(module
  (memory 1)
  (func $cmp (export "cmp") (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    block
      local.get 2
      i32.eqz
      br_if 0
      loop
        local.get 0
        i32.load8_u
        local.tee 4
        local.get 1
        i32.load8_u
        local.tee 5
        i32.eq
        if
          local.get 1
          i32.const 1
          i32.add
          local.set 1
          local.get 0
          i32.const 1
          i32.add
          local.set 0
          local.get 2
          i32.const 1
          i32.sub
          local.tee 2
          br_if 1
          br 2
        end
      end
      local.get 4
      local.get 5
      i32.sub
      local.set 3
    end
    local.get 3))

;; CHECK-LABEL: @cmp(
;; CHECK: %skip.allowed = phi i1
;; CHECK: call void @lunatic_yield(
;; CHECK: %skip.room = icmp
;; CHECK: and i1 %skip.allowed, %skip.room
;; CHECK: and i64 %{{.*}}, 4095
;; CHECK: skip.load:
;; CHECK: load <16 x i8>
;; CHECK: load <16 x i8>
;; CHECK: %skip.mask = bitcast <16 x i1> %{{.*}} to i16
;; CHECK: %skip.budget = add i64 %{{.*}}, -
;; CHECK: skip.differ:
;; CHECK: %skip.equal = {{.*}}call {{.*}}i16 @llvm.cttz.i16(i16 %skip.mask, i1 true)
;; CHECK: icmp eq i16 %skip.equal, 0
;; CHECK: skip.partial:
;; CHECK: %skip.budget{{[0-9]+}} = add i64
;; CHECK: .bytes:
;; CHECK: load i8
;; CHECK: %skip.allowed.be = phi i1 {{.*}}[ false, %{{.*}}skip.partial ]

;; NOPREEMPT-LABEL: @cmp(
;; NOPREEMPT-NOT: budget
;; NOPREEMPT: skip.load:
;; NOPREEMPT: load <16 x i8>

;; BOUNDS-LABEL: @cmp(
;; BOUNDS: %skip.room = icmp
;; BOUNDS-NOT: 4095
;; BOUNDS: icmp ule i64 %{{.*}}, %memory.size
;; BOUNDS: skip.load:
;; BOUNDS: load <16 x i8>
