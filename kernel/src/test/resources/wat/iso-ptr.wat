;; iso-ptr: passes one syscall a (ptr, len) range chosen by its first argument, then exits
;; with what the call returned (a bad range kills it instead). argv[1] is two letters:
;;   syscall: L locate name   X export name   C call request     E wait events (max_events
;;            = len / 32)      B wait buffer   R reply data        F fail message
;;            S spawn entry    A spawn arg     M send data
;;   range:   n ptr = -1          l len = -1 (E: max_events = -1)   e ends one past memory
;;            o ptr = 0x7fffffff (ptr + len wraps in 32 bits)
;;            b ends exactly at the end of memory (the content is copied there first)
;;            z empty, at ptr = memory size
;; R and F first export argv[2] and take one call, which they answer with the range.
;; C calls parigot.test.v1.Probe; M sends to an "idle" worker; A spawns one.
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64..255,
;; names and contents at 256..319, event records at 1024, payload buffer at 2048.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "fail" (func $fail (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "send" (func $send (param i32 i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (data (i32.const 288) "iso.v1.Nope")
  (data (i32.const 304) "ping")
  (data (i32.const 312) "idle")
  (global $p (mut i32) (i32.const 0))
  (global $l (mut i32) (i32.const 0))
  (global $variant (mut i32) (i32.const 0))

  (func $size (result i32) (i32.mul (memory.size) (i32.const 65536)))

  ;; Sets $p and $l for content of $len bytes at $src, as the variant says.
  (func $range (param $src i32) (param $len i32)
    (local $i i32) (local $v i32)
    (local.set $v (global.get $variant))
    (global.set $p (local.get $src))
    (global.set $l (local.get $len))
    (if (i32.eq (local.get $v) (i32.const 110)) (then (global.set $p (i32.const -1))))
    (if (i32.eq (local.get $v) (i32.const 108)) (then (global.set $l (i32.const -1))))
    (if (i32.eq (local.get $v) (i32.const 101))
      (then (global.set $p (i32.add (i32.sub (call $size) (local.get $len)) (i32.const 1)))))
    (if (i32.eq (local.get $v) (i32.const 111)) (then (global.set $p (i32.const 0x7fffffff))))
    (if (i32.eq (local.get $v) (i32.const 98))
      (then
        (global.set $p (i32.sub (call $size) (local.get $len)))
        (block $copied
          (loop $copy
            (br_if $copied (i32.ge_u (local.get $i) (local.get $len)))
            (i32.store8 (i32.add (global.get $p) (local.get $i))
              (i32.load8_u (i32.add (local.get $src) (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $copy)))))
    (if (i32.eq (local.get $v) (i32.const 122))
      (then (global.set $p (call $size)) (global.set $l (i32.const 0)))))

  ;; The length of the NUL-terminated string at $s.
  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Exports argv[2] and waits for a call to it; returns its call id.
  (func $take_call (result i32)
    (local $name i32)
    (local.set $name (i32.load (i32.const 24)))
    (if (i32.lt_s (call $export (local.get $name) (call $strlen (local.get $name))) (i32.const 0))
      (then (call $exit (i32.const 99))))
    (loop $again
      (drop (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const -1)))
      (br_if $again (i32.ne (i32.load (i32.const 1024)) (i32.const 4))))
    (i32.load (i32.const 1028)))

  (func (export "_start")
    (local $s i32) (local $h i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (local.set $s (i32.load8_u (i32.load (i32.const 20))))
    (global.set $variant (i32.load8_u (i32.add (i32.load (i32.const 20)) (i32.const 1))))
    ;; L
    (if (i32.eq (local.get $s) (i32.const 76))
      (then
        (call $range (i32.const 256) (i32.const 21))
        (call $exit (call $locate (global.get $p) (global.get $l)))))
    ;; X
    (if (i32.eq (local.get $s) (i32.const 88))
      (then
        (call $range (i32.const 288) (i32.const 11))
        (call $exit (call $export (global.get $p) (global.get $l)))))
    ;; C
    (if (i32.eq (local.get $s) (i32.const 67))
      (then
        (local.set $h (call $locate (i32.const 256) (i32.const 21)))
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $call (local.get $h) (i32.const 0) (global.get $p) (global.get $l) (i64.const 0)))))
    ;; E
    (if (i32.eq (local.get $s) (i32.const 69))
      (then
        (call $range (i32.const 1024) (i32.const 64))
        (call $exit
          (call $wait (global.get $p) (i32.shr_s (global.get $l) (i32.const 5))
            (i32.const 2048) (i32.const 0) (i64.const 0)))))
    ;; B
    (if (i32.eq (local.get $s) (i32.const 66))
      (then
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $wait (i32.const 1024) (i32.const 1) (global.get $p) (global.get $l) (i64.const 0)))))
    ;; R
    (if (i32.eq (local.get $s) (i32.const 82))
      (then
        (local.set $h (call $take_call))
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $reply (local.get $h) (i32.const 1) (global.get $p) (global.get $l)))))
    ;; F
    (if (i32.eq (local.get $s) (i32.const 70))
      (then
        (local.set $h (call $take_call))
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $fail (local.get $h) (i32.const 1) (global.get $p) (global.get $l)))))
    ;; S
    (if (i32.eq (local.get $s) (i32.const 83))
      (then
        (call $range (i32.const 312) (i32.const 4))
        (call $exit (call $spawn (global.get $p) (global.get $l) (i32.const 0) (i32.const 0)))))
    ;; A
    (if (i32.eq (local.get $s) (i32.const 65))
      (then
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $spawn (i32.const 312) (i32.const 4) (global.get $p) (global.get $l)))))
    ;; M
    (if (i32.eq (local.get $s) (i32.const 77))
      (then
        (local.set $h (call $spawn (i32.const 312) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $range (i32.const 304) (i32.const 4))
        (call $exit (call $send (local.get $h) (global.get $p) (global.get $l)))))
    (call $exit (i32.const 98)))

  ;; A worker that waits for ever; it dies with its parent.
  (func (export "idle")
    (loop $forever
      (drop (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const -1)))
      (br $forever))))
