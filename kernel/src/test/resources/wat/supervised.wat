;; A service for supervision and upgrade tests: exports test.v1.Echo, spawns one worker (entry
;; "idle", which waits forever) at start, and answers by method:
;;   1 echo: END with the request
;;   3 hold: never answers (a call in flight)
;;   4 trap: executes unreachable while the call is open
;;   6 exit: exits with the request's first byte as the code
;;   8 version: END with "v1"
;; Memory: name at 0, "idle" at 16, version at 24, event records at 1024, payload buffer at 2048.
(module
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "test.v1.Echo")
  (data (i32.const 16) "idle")
  (data (i32.const 24) "v1")

  (func $serve (param $id i32) (param $method i32) (param $off i32) (param $len i32)
    (if (i32.eq (local.get $method) (i32.const 1))
      (then (drop (call $reply (local.get $id) (i32.const 1) (local.get $off) (local.get $len)))))
    (if (i32.eq (local.get $method) (i32.const 4)) (then unreachable))
    (if (i32.eq (local.get $method) (i32.const 6))
      (then (call $exit (i32.load8_u (local.get $off)))))
    (if (i32.eq (local.get $method) (i32.const 8))
      (then (drop (call $reply (local.get $id) (i32.const 1) (i32.const 24) (i32.const 2))))))

  (func (export "idle")
    (loop $forever
      (drop (call $wait (i32.const 1024) (i32.const 16) (i32.const 2048) (i32.const 63488) (i64.const -1)))
      (br $forever)))

  (func (export "_start")
    (local $n i32) (local $i i32) (local $ev i32)
    (if (i32.lt_s (call $export (i32.const 0) (i32.const 12)) (i32.const 0)) (then unreachable))
    (if (i32.lt_s (call $spawn (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 0)) (i32.const 0))
      (then unreachable))
    (loop $forever
      (local.set $n
        (call $wait (i32.const 1024) (i32.const 16) (i32.const 2048) (i32.const 63488) (i64.const -1)))
      (local.set $i (i32.const 0))
      (block $done
        (loop $each
          (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
          (local.set $ev (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 5))))
          (if (i32.eq (i32.load (local.get $ev)) (i32.const 4))
            (then
              (call $serve
                (i32.load offset=4 (local.get $ev))
                (i32.load offset=8 (local.get $ev))
                (i32.add (i32.const 2048) (i32.load offset=16 (local.get $ev)))
                (i32.load offset=20 (local.get $ev)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each)))
      (br $forever)))
)
