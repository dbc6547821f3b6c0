;; A main that calls test.v1.Echo method 1 once, with the default deadline (call_timeout_ms), and
;; exits by how the call ended: 0 END, 3 ERROR TIMED_OUT, 5 ERROR PROVIDER_DIED, 9 anything else
;; (including a failed locate or call).
;; Memory: name at 0, event records at 1024, payload buffer at 2048, request at 4096.
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "test.v1.Echo")
  (data (i32.const 4096) "once")
  (func (export "_start")
    (local $svc i32)
    (local.set $svc (call $locate (i32.const 0) (i32.const 12)))
    (if (i32.lt_s (local.get $svc) (i32.const 0)) (then (call $exit (i32.const 9))))
    (if (i32.lt_s (call $call (local.get $svc) (i32.const 1) (i32.const 4096) (i32.const 4) (i64.const -1))
                  (i32.const 0))
      (then (call $exit (i32.const 9))))
    (if (i32.ne (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const -1))
                (i32.const 1))
      (then (call $exit (i32.const 9))))
    (if (i32.eq (i32.load (i32.const 1024)) (i32.const 2)) (then (call $exit (i32.const 0))))
    (if (i32.eq (i32.load (i32.const 1024)) (i32.const 3))
      (then
        (if (i32.eq (i32.load offset=8 (i32.const 1024)) (i32.const -3)) (then (call $exit (i32.const 3))))
        (if (i32.eq (i32.load offset=8 (i32.const 1024)) (i32.const -5)) (then (call $exit (i32.const 5))))))
    (call $exit (i32.const 9))))
