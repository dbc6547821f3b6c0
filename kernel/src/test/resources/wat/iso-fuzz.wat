;; iso-fuzz: makes one syscall with arguments from its command line and exits with what it
;; returned, for the syscall fuzz. argv[1] is the syscall number, argv[2..6] its arguments
;; in decimal (i32 arguments take the low 32 bits):
;;   0 locate(a,b)  1 export(a,b)  2 call(a,b,c,d,e)  3 wait(a,b,c,d,e)  4 reply(a,b,c,d)
;;   5 fail(a,b,c,d)  6 cancel(a)  7 spawn(a,b,c,d)  8 send(a,b,c)  9 exit(a)
;; Before it, handles of each kind exist: 1 the Probe service (locate), 2 a channel to it
;; (its END is queued), 3 a link to a "sleeper" worker (which waits for ever).
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64..1023,
;; "parigot.test.v1.Probe" at 1024 (21 bytes), "sleeper" at 1056 (7 bytes).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "fail" (func $fail (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "cancel" (func $cancel (param i32) (result i32)))
  (import "parigot" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "send" (func $send (param i32 i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (data (i32.const 1024) "parigot.test.v1.Probe")
  (data (i32.const 1056) "sleeper")

  ;; argv[$i] as a signed decimal i64 (0 if missing).
  (func $num (param $i i32) (result i64)
    (local $s i32) (local $c i32) (local $neg i32) (local $v i64)
    (if (i32.ge_u (local.get $i) (i32.load (i32.const 0))) (then (return (i64.const 0))))
    (local.set $s (i32.load (i32.add (i32.const 16) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.eq (i32.load8_u (local.get $s)) (i32.const 45))
      (then
        (local.set $neg (i32.const 1))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))))
    (block $end
      (loop $digit
        (local.set $c (i32.sub (i32.load8_u (local.get $s)) (i32.const 48)))
        (br_if $end (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $digit)))
    (if (result i64) (local.get $neg)
      (then (i64.sub (i64.const 0) (local.get $v)))
      (else (local.get $v))))

  (func $arg (param $i i32) (result i32) (i32.wrap_i64 (call $num (local.get $i))))

  (func (export "_start")
    (local $n i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (drop (call $locate (i32.const 1024) (i32.const 21)))
    (drop (call $call (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0)))
    (drop (call $spawn (i32.const 1056) (i32.const 7) (i32.const 0) (i32.const 0)))
    (local.set $n (call $arg (i32.const 1)))
    (if (i32.eq (local.get $n) (i32.const 0))
      (then (call $exit (call $locate (call $arg (i32.const 2)) (call $arg (i32.const 3))))))
    (if (i32.eq (local.get $n) (i32.const 1))
      (then (call $exit (call $export (call $arg (i32.const 2)) (call $arg (i32.const 3))))))
    (if (i32.eq (local.get $n) (i32.const 2))
      (then (call $exit (call $call (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4)) (call $arg (i32.const 5)) (call $num (i32.const 6))))))
    (if (i32.eq (local.get $n) (i32.const 3))
      (then (call $exit (call $wait (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4)) (call $arg (i32.const 5)) (call $num (i32.const 6))))))
    (if (i32.eq (local.get $n) (i32.const 4))
      (then (call $exit (call $reply (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4)) (call $arg (i32.const 5))))))
    (if (i32.eq (local.get $n) (i32.const 5))
      (then (call $exit (call $fail (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4)) (call $arg (i32.const 5))))))
    (if (i32.eq (local.get $n) (i32.const 6))
      (then (call $exit (call $cancel (call $arg (i32.const 2))))))
    (if (i32.eq (local.get $n) (i32.const 7))
      (then (call $exit (call $spawn (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4)) (call $arg (i32.const 5))))))
    (if (i32.eq (local.get $n) (i32.const 8))
      (then (call $exit (call $send (call $arg (i32.const 2)) (call $arg (i32.const 3))
        (call $arg (i32.const 4))))))
    (if (i32.eq (local.get $n) (i32.const 9))
      (then (call $exit (call $arg (i32.const 2)))))
    (call $exit (i32.const 98)))

  (func (export "sleeper")
    (loop $forever
      (drop (call $wait (i32.const 2048) (i32.const 1) (i32.const 4096) (i32.const 60000) (i64.const -1)))
      (br $forever))))
