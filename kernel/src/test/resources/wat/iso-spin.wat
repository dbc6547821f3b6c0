;; iso-spin: burns CPU, as its first argument (argv[1][0]) says:
;;   s  spins in `loop br` for ever, never entering the kernel
;;   w  spins for 600 ms of monotonic time, but polls wait (timeout 0) every 10000 rounds;
;;      then exits 0
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64,
;; clock readings at 512, event record at 1024, payload buffer at 2048.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)

  ;; Monotonic nanoseconds.
  (func $now (result i64)
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 512)))
    (i64.load (i32.const 512)))

  (func (export "_start")
    (local $m i32) (local $start i64) (local $i i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (local.set $m (i32.load8_u (i32.load (i32.const 20))))
    (if (i32.eq (local.get $m) (i32.const 115))
      (then (loop $forever (br $forever))))
    (local.set $start (call $now))
    (block $done
      (loop $round
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 10000)))
          (then
            (drop (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const 0)))
            (br_if $done
              (i64.gt_s (i64.sub (call $now) (local.get $start)) (i64.const 600000000)))))
        (br $round)))
    (call $exit (i32.const 0))))
