;; RUN: lunaticc -O2 --no-preempt
;; RUN: lunaticc -O2 --no-preempt --bounds-checks | FileCheck --check-prefix=BOUNDS
;; Loops over static double[N][N] arrays as clang emits them for wasm32: the column offset
;; counts from -2400 up to 0 by 16 (two columns per trip), and each address is row + offset
;; + a constant address. LLVM widens the counter to an i64 tested as (iv & 0xFFFFFFF0) == 0,
;; which ScalarEvolution bounds only by 2^64; the latch is read as the same test on the
;; counter's low 32 bits (passes/loop_utils.cpp, maskedCounter), so the loop is widened and
;; vectorised. And in[c - w], a subtracted invariant, widens to -4 * zext(w) (zext(-4w)
;; would lie beyond 4 GiB). The runtime side is tests/spec/extra/static_stencil.wast.
(module
  (memory 40)
  ;; for (i = 0; i < rows; i++) for (j = -2400; j != 0; j += 16)
  ;;   { A[i][j..] -= 0.5 * (B[i][j..] - C[i][j..]) } over rows of 2400 bytes
  (func $stencil (export "stencil") (param $rows i32)
    (local $row i32) (local $j i32) (local $a i32)
    (loop $outer
      (local.set $j (i32.const -2400))
      (loop $inner
        (local.set $a (i32.add (local.get $row) (local.get $j)))
        (f64.store (i32.add (local.get $a) (i32.const 500000))
          (f64.sub (f64.load (i32.add (local.get $a) (i32.const 500000)))
                   (f64.mul (f64.const 0.5) (f64.sub (f64.load (i32.add (local.get $a) (i32.const 1000000)))
                                                      (f64.load (i32.add (local.get $a) (i32.const 997600)))))))
        (f64.store (i32.add (local.get $a) (i32.const 500008))
          (f64.sub (f64.load (i32.add (local.get $a) (i32.const 500008)))
                   (f64.mul (f64.const 0.5) (f64.sub (f64.load (i32.add (local.get $a) (i32.const 1000008)))
                                                      (f64.load (i32.add (local.get $a) (i32.const 997608)))))))
        (br_if $inner (local.tee $j (i32.add (local.get $j) (i32.const 16)))))
      (local.set $row (i32.add (local.get $row) (i32.const 2400)))
      (br_if $outer (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; for (c = 0; c < n; c += 2) out[c] = max(out[c], in[c - w] + v), and c + 1, 4-byte words
  (func $knapsack (export "knapsack") (param $in i32) (param $out i32) (param $n i32) (param $w i32) (param $v i32)
    (local $c i32) (local $take i32) (local $keep i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $inner
        (local.set $take (i32.add (i32.load (i32.add (local.get $in) (i32.shl (i32.sub (local.get $c) (local.get $w)) (i32.const 2))))
                                  (local.get $v)))
        (local.set $keep (i32.load (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (select (local.get $take) (local.get $keep) (i32.gt_s (local.get $take) (local.get $keep))))
        (local.set $take (i32.add (i32.load (i32.add (i32.add (local.get $in) (i32.shl (i32.sub (local.get $c) (local.get $w)) (i32.const 2))) (i32.const 4)))
                                  (local.get $v)))
        (local.set $keep (i32.load offset=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))))
        (i32.store offset=4 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (select (local.get $take) (local.get $keep) (i32.gt_s (local.get $take) (local.get $keep))))
        (br_if $inner (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 2))) (local.get $n)))))))

;; CHECK-LABEL: define internal void @stencil(
;; CHECK: %addr.fits{{[0-9]*}} = icmp ult
;; CHECK: br i1 %addr.fits{{[0-9]*}}, label %{{.*}}wide.ph, label %{{.*}}narrow
;; CHECK: and i64 %{{.*}}, 4294967280
;; CHECK: vector.body:
;; CHECK: load <{{[0-9]+}} x double>
;; CHECK: store <{{[0-9]+}} x double>

;; The subtracted invariant: zext(in) - 4 * zext(w), then a range check on the whole loop.
;; CHECK-LABEL: define internal void @knapsack(
;; CHECK: %[[W:[0-9]+]] = zext i32 %3 to i64
;; CHECK: %[[W4:[0-9]+]] = shl nuw nsw i64 %[[W]], 2
;; CHECK: sub nsw i64 %{{[0-9]+}}, %[[W4]]
;; CHECK: icmp ult i64 %{{[0-9]+}}, 4294967296
;; CHECK: br i1 %{{.*}}, label %loop.wide.ph, label %loop.narrow

;; BOUNDS-LABEL: define internal void @stencil(
;; BOUNDS: %addr.fits{{[0-9]*}} = icmp ult i64 %{{.*}}, %memory.size
;; BOUNDS: vector.body:
;; BOUNDS-NOT: lunatic_trap
;; BOUNDS: store <{{[0-9]+}} x double>
