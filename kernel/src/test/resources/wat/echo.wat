;; A service for tests: exports test.v1.Echo and answers by method:
;;   1 echo: END with the request
;;   2 stream: as many PARTIALs of the request as its first byte says, then an empty END
;;   3 hold: never answers (for deadlines and cancellation)
;;   4 trap: executes unreachable while the call is open
;;   5 refuse: application error 7 with message "nope"
;; Memory: name at 0, "nope" at 16, event records at 1024, payload buffer at 2048.
(module
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "fail" (func $fail (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "test.v1.Echo")
  (data (i32.const 16) "nope")

  (func $serve (param $id i32) (param $method i32) (param $off i32) (param $len i32)
    (local $k i32)
    (if (i32.eq (local.get $method) (i32.const 1))
      (then (drop (call $reply (local.get $id) (i32.const 1) (local.get $off) (local.get $len)))))
    (if (i32.eq (local.get $method) (i32.const 2))
      (then
        (local.set $k (i32.load8_u (local.get $off)))
        (block $sent
          (loop $send
            (br_if $sent (i32.eqz (local.get $k)))
            (drop (call $reply (local.get $id) (i32.const 0) (local.get $off) (local.get $len)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $send)))
        (drop (call $reply (local.get $id) (i32.const 1) (i32.const 0) (i32.const 0)))))
    (if (i32.eq (local.get $method) (i32.const 4)) (then unreachable))
    (if (i32.eq (local.get $method) (i32.const 5))
      (then (drop (call $fail (local.get $id) (i32.const 7) (i32.const 16) (i32.const 4))))))

  (func (export "_start")
    (local $n i32) (local $i i32) (local $ev i32)
    (if (i32.lt_s (call $export (i32.const 0) (i32.const 12)) (i32.const 0)) (then unreachable))
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
