;; A main that calls test.v1.Echo method 1 with a 64-byte request, one call at a time, as many
;; times as the first byte of its first argument says times 1000 (argv[1][0] - '0'), waiting for
;; each END before the next call. Exits 0 if every reply came back as END, 1 otherwise.
;; Memory: name at 0, args at 64 (argv pointers) and 128 (argv bytes), events at 1024,
;; payload buffer at 2048, request at 4096.
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "test.v1.Echo")
  (func (export "_start")
    (local $svc i32) (local $n i32) (local $ch i32)
    (drop (call $args_sizes (i32.const 32) (i32.const 36)))
    (drop (call $args_get (i32.const 64) (i32.const 128)))
    (local.set $n
      (i32.mul (i32.const 1000)
        (i32.sub (i32.load8_u (i32.load (i32.const 68))) (i32.const 48))))
    (local.set $svc (call $locate (i32.const 0) (i32.const 12)))
    (if (i32.lt_s (local.get $svc) (i32.const 0)) (then (call $exit (i32.const 2))))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $ch (call $call (local.get $svc) (i32.const 1) (i32.const 4096) (i32.const 64) (i64.const 0)))
        (if (i32.lt_s (local.get $ch) (i32.const 0)) (then (call $exit (i32.const 1))))
        (if (i32.ne (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const -1)) (i32.const 1))
          (then (call $exit (i32.const 1))))
        (if (i32.ne (i32.load (i32.const 1024)) (i32.const 2)) (then (call $exit (i32.const 1))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (call $exit (i32.const 0))))
