;; A value loaded in one iteration and used in the next, before the load that carries it,
;; as clang's wasm32 code keeps u[i + 1] for the next iteration's u[i]
;; (passes/memory/address_widening.cpp, findCarriedLoads): the widened copy of the loop
;; loads first, so that LLVM can vectorise it, but only where no store of the loop writes
;; what the load reads and no access leaves the memory; else the loop runs as it was. Each
;; case below is called where the arrays are apart, where the store feeds the next load
;; (the copy that loads first would read stale values), and where the stores run off the
;; end of the memory (every store before the trap must be made, with guard pages too).
(module
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00\08\00\00\00")

  ;; `reps` times: prev = u[0]; for (o = 0; o != 4n; o += 4) { dst[o] = prev + 1000 + u[o];
  ;; prev = u[o + 4] }, that is dst[i] = u[i] + u[i] + 1000, with u[i] carried from the
  ;; iteration before.
  (func (export "step") (param $dst i32) (param $u i32) (param $n i32) (param $reps i32)
    (local $o i32) (local $prev i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $reps
      (local.set $o (i32.const 0))
      (local.set $prev (i32.load (local.get $u)))
      (loop $inner
        (i32.store (i32.add (local.get $dst) (local.get $o))
          (i32.add (i32.add (local.get $prev) (i32.const 1000))
                   (i32.load (i32.add (local.get $u) (local.get $o)))))
        (local.set $prev (i32.load offset=4 (i32.add (local.get $u) (local.get $o))))
        (br_if $inner (i32.ne (local.tee $o (i32.add (local.get $o) (i32.const 4))) (local.get $end))))
      ;; The last carried value is used (a load whose value is unused may not trap with
      ;; guard pages: docs/architecture.md, "Known deviations").
      (i32.store (i32.const 3072) (local.get $prev))
      (br_if $reps (local.tee $reps (i32.sub (local.get $reps) (i32.const 1))))))

  (func (export "load") (param $a i32) (result i32) (i32.load (local.get $a))))

;; Apart: dst at 1024, u = 1..8: dst[i] = 2u[i] + 1000.
(assert_return (invoke "step" (i32.const 1024) (i32.const 0) (i32.const 7) (i32.const 1)))
(assert_return (invoke "load" (i32.const 1024)) (i32.const 1002))
(assert_return (invoke "load" (i32.const 1048)) (i32.const 1014))
(assert_return (invoke "load" (i32.const 1052)) (i32.const 0))
;; Long enough to run vectorised: 2048 words from 4096 (zeros) to 16384, twice.
(assert_return (invoke "step" (i32.const 16384) (i32.const 4096) (i32.const 2048) (i32.const 2)))
(assert_return (invoke "load" (i32.const 16384)) (i32.const 1000))
(assert_return (invoke "load" (i32.const 24572)) (i32.const 1000))
(assert_return (invoke "load" (i32.const 24576)) (i32.const 0))
;; dst = u + 4: each store writes the word the next iteration's carried load reads, so
;; u[i + 1] = u[i] + u[i] + 1000 in turn from u[0] = 1: 1, 1002, 3004, 7008, 15016.
(assert_return (invoke "step" (i32.const 4) (i32.const 0) (i32.const 4) (i32.const 1)))
(assert_return (invoke "load" (i32.const 4)) (i32.const 1002))
(assert_return (invoke "load" (i32.const 8)) (i32.const 3004))
(assert_return (invoke "load" (i32.const 12)) (i32.const 7008))
(assert_return (invoke "load" (i32.const 16)) (i32.const 15016))
(assert_return (invoke "load" (i32.const 20)) (i32.const 6))
;; dst near the end of the memory: the stores from 65520 on are made (u = zeros at 4096),
;; then the one at 65536 traps.
(assert_trap (invoke "step" (i32.const 65520) (i32.const 4096) (i32.const 8) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65520)) (i32.const 1000))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 1000))
;; u near the end: the loads run off it (the carried load of the last iteration reads
;; 65536), after every store before it, the last one's too. u is 0 up to 65520, then the
;; 1000s stored above.
(assert_trap (invoke "step" (i32.const 2048) (i32.const 65508) (i32.const 7) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load" (i32.const 2048)) (i32.const 1000))
(assert_return (invoke "load" (i32.const 2056)) (i32.const 1000))
(assert_return (invoke "load" (i32.const 2060)) (i32.const 3000))
(assert_return (invoke "load" (i32.const 2072)) (i32.const 3000))
(assert_return (invoke "load" (i32.const 2076)) (i32.const 0))
