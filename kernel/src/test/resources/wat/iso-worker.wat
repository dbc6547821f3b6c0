;; iso-worker: a parent that exercises spawn, send, cancel and EXIT as its first argument
;; (argv[1][0]) says, reporting to parigot.test.v1.Probe (method = tag, request = an i32).
;; With a second argument it first exports that name (a program that exports must serve).
;; Parent tags are 1.., worker tags 101..; "h == x" reports are 1 for true, 0 for false.
;;   a  spawn's argument errors: 1 "missing" 2 "typed" (exported, (i32) -> i32)
;;      3 "memory" (exported memory) 4 "1bad" 5 "" 6 a 256-letter name
;;      7 arg of 1025 bytes (run with max_message_bytes = 1024) 8 arg of 1024 bytes
;;   l  max_workers (run with 2): 1,2 two spawns > 0, 3 a third, 4 send "q" to the first,
;;      5 EXIT handle == first, 6 EXIT code, 7 a spawn after the EXIT was read,
;;      8 cancel the second, 9 a spawn right after that cancel
;;   e  spawn "echo" with arg "hello": 1 h > 0, 2 MESSAGE handle == h, 3 its first 4 bytes,
;;      4 its length, 5 own memory cell M after the worker wrote its own, 6 send [7],
;;      7 EXIT handle == h, 8 EXIT code, 9 send on the released handle
;;   t  spawn "crash": 1 EXIT handle == h, 2 EXIT code, 3 EXIT service; then exits 0
;;   n  spawn "neg": 1 EXIT handle == h, 2 EXIT code, 3 EXIT service; then exits 0
;;   c  spawn "hold", wait for its "up": 1 cancel, 2 cancel again; then waits for the next
;;      event that is not a Probe END: 3 its kind; answers it if it is a CALL and exits 0
;;   d  spawn "hold", wait for its "up", exit 3
;;   x  spawn "quick", read its "bye", send until it fails: 1 that result, 2 EXIT handle
;;      == h, 3 EXIT code, 4 send after the EXIT was read
;; Workers: idle (waits; a message starting "q" ends it), echo (tags 101 first event kind,
;; 102 its handle, 103 length, 104 first 4 bytes, 105 M as it found it, 106 export of
;; argv[2], 107 send back; a second message ends it with its first byte as exit code),
;; crash (unreachable), hold (sends "up", then waits), quick (sends "bye", returns),
;; neg (exit(-5), the number of -PROVIDER_DIED).
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64..255,
;; strings at 256..383, report value at 512, event record at 1024 (kind, handle, code,
;; service, payload_offset, payload_len), payload buffer at 2048 (1 KiB), scratch at 4096,
;; the cell M at 8192.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "cancel" (func $cancel (param i32) (result i32)))
  (import "parigot" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "send" (func $send (param i32 i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "parigot.test.v1.Probe")
  (data (i32.const 288) "missing")
  (data (i32.const 296) "typed")
  (data (i32.const 304) "memory")
  (data (i32.const 312) "1bad")
  (data (i32.const 320) "idle")
  (data (i32.const 328) "echo")
  (data (i32.const 336) "hold")
  (data (i32.const 344) "crash")
  (data (i32.const 352) "quick")
  (data (i32.const 360) "hello")
  (data (i32.const 368) "up")
  (data (i32.const 372) "q")
  (data (i32.const 376) "\07")
  (data (i32.const 380) "bye")
  (data (i32.const 384) "neg")
  (global $probe (mut i32) (i32.const 0))

  (func $report (param $tag i32) (param $value i32)
    (if (i32.eqz (global.get $probe))
      (then (global.set $probe (call $locate (i32.const 256) (i32.const 21)))))
    (i32.store (i32.const 512) (local.get $value))
    (drop (call $call (global.get $probe) (local.get $tag) (i32.const 512) (i32.const 4) (i64.const 0))))

  ;; Waits for one event (record at 1024, payload at 2048); returns how many (0 or 1).
  (func $next (result i32)
    (call $wait (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 1024) (i64.const -1)))
  (func $kind (result i32) (i32.load (i32.const 1024)))
  (func $handle (result i32) (i32.load (i32.const 1028)))
  (func $code (result i32) (i32.load (i32.const 1032)))
  (func $service (result i32) (i32.load (i32.const 1036)))
  (func $payload (result i32) (i32.add (i32.const 2048) (i32.load (i32.const 1040))))
  (func $length (result i32) (i32.load (i32.const 1044)))

  ;; Waits until an event of $kind arrives, skipping others; returns its handle.
  (func $expect (param $kind i32) (result i32)
    (loop $again
      (drop (call $next))
      (br_if $again (i32.ne (call $kind) (local.get $kind))))
    (call $handle))

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Reads argv; returns argc.
  (func $args (result i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (i32.load (i32.const 0)))

  ;; export(argv[2])
  (func $export_arg2 (result i32)
    (call $export (i32.load (i32.const 24)) (call $strlen (i32.load (i32.const 24)))))

  (func (export "_start")
    (local $m i32) (local $h i32) (local $h2 i32) (local $r i32) (local $i i32)
    (if (i32.gt_u (call $args) (i32.const 2))
      (then
        (local.set $r (call $export_arg2))
        (if (i32.lt_s (local.get $r) (i32.const 0)) (then (call $report (i32.const 99) (local.get $r))))))
    (local.set $m (i32.load8_u (i32.load (i32.const 20))))

    ;; a: spawn's argument errors
    (if (i32.eq (local.get $m) (i32.const 97))
      (then
        (call $report (i32.const 1) (call $spawn (i32.const 288) (i32.const 7) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 2) (call $spawn (i32.const 296) (i32.const 5) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 3) (call $spawn (i32.const 304) (i32.const 6) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 4) (call $spawn (i32.const 312) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 5) (call $spawn (i32.const 312) (i32.const 0) (i32.const 0) (i32.const 0)))
        (block $filled
          (loop $fill
            (br_if $filled (i32.ge_u (local.get $i) (i32.const 256)))
            (i32.store8 (i32.add (i32.const 4096) (local.get $i)) (i32.const 97))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $fill)))
        (call $report (i32.const 6) (call $spawn (i32.const 4096) (i32.const 256) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 7) (call $spawn (i32.const 320) (i32.const 4) (i32.const 4096) (i32.const 1025)))
        (call $report (i32.const 8) (call $spawn (i32.const 320) (i32.const 4) (i32.const 4096) (i32.const 1024)))
        (call $exit (i32.const 0))))

    ;; l: max_workers
    (if (i32.eq (local.get $m) (i32.const 108))
      (then
        (local.set $h (call $spawn (i32.const 320) (i32.const 4) (i32.const 0) (i32.const 0)))
        (local.set $h2 (call $spawn (i32.const 320) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 1) (i32.gt_s (local.get $h) (i32.const 0)))
        (call $report (i32.const 2) (i32.gt_s (local.get $h2) (i32.const 0)))
        (call $report (i32.const 3) (call $spawn (i32.const 320) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 4) (call $send (local.get $h) (i32.const 372) (i32.const 1)))
        (call $report (i32.const 5) (i32.eq (call $expect (i32.const 7)) (local.get $h)))
        (call $report (i32.const 6) (call $code))
        (call $report (i32.const 7) (call $spawn (i32.const 320) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 8) (call $cancel (local.get $h2)))
        (call $report (i32.const 9) (call $spawn (i32.const 320) (i32.const 4) (i32.const 0) (i32.const 0)))
        (call $exit (i32.const 0))))

    ;; e: a worker's first event, messages both ways, its exit code, its own memory
    (if (i32.eq (local.get $m) (i32.const 101))
      (then
        (i32.store (i32.const 8192) (i32.const 0x1234))
        (local.set $h (call $spawn (i32.const 328) (i32.const 4) (i32.const 360) (i32.const 5)))
        (call $report (i32.const 1) (i32.gt_s (local.get $h) (i32.const 0)))
        (call $report (i32.const 2) (i32.eq (call $expect (i32.const 6)) (local.get $h)))
        (call $report (i32.const 3) (i32.load (call $payload)))
        (call $report (i32.const 4) (call $length))
        (call $report (i32.const 5) (i32.load (i32.const 8192)))
        (call $report (i32.const 6) (call $send (local.get $h) (i32.const 376) (i32.const 1)))
        (call $report (i32.const 7) (i32.eq (call $expect (i32.const 7)) (local.get $h)))
        (call $report (i32.const 8) (call $code))
        (call $report (i32.const 9) (call $send (local.get $h) (i32.const 372) (i32.const 1)))
        (call $exit (i32.const 0))))

    ;; t: a worker that traps
    (if (i32.eq (local.get $m) (i32.const 116))
      (then
        (local.set $h (call $spawn (i32.const 344) (i32.const 5) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 1) (i32.eq (call $expect (i32.const 7)) (local.get $h)))
        (call $report (i32.const 2) (call $code))
        (call $report (i32.const 3) (call $service))
        (call $exit (i32.const 0))))

    ;; n: a worker that exits with a negative code
    (if (i32.eq (local.get $m) (i32.const 110))
      (then
        (local.set $h (call $spawn (i32.const 384) (i32.const 3) (i32.const 0) (i32.const 0)))
        (call $report (i32.const 1) (i32.eq (call $expect (i32.const 7)) (local.get $h)))
        (call $report (i32.const 2) (call $code))
        (call $report (i32.const 3) (call $service))
        (call $exit (i32.const 0))))

    ;; c: cancel a live worker
    (if (i32.eq (local.get $m) (i32.const 99))
      (then
        (local.set $h (call $spawn (i32.const 336) (i32.const 4) (i32.const 0) (i32.const 0)))
        (drop (call $expect (i32.const 6)))
        (call $report (i32.const 1) (call $cancel (local.get $h)))
        (call $report (i32.const 2) (call $cancel (local.get $h)))
        (loop $skip_ends
          (drop (call $next))
          (br_if $skip_ends (i32.eq (call $kind) (i32.const 2))))
        (call $report (i32.const 3) (call $kind))
        (if (i32.eq (call $kind) (i32.const 4))
          (then (drop (call $reply (call $handle) (i32.const 1) (i32.const 0) (i32.const 0)))))
        (call $exit (i32.const 0))))

    ;; d: end while a worker runs
    (if (i32.eq (local.get $m) (i32.const 100))
      (then
        (drop (call $spawn (i32.const 336) (i32.const 4) (i32.const 0) (i32.const 0)))
        (drop (call $expect (i32.const 6)))
        (call $exit (i32.const 3))))

    ;; x: send to a worker that has ended
    (if (i32.eq (local.get $m) (i32.const 120))
      (then
        (local.set $h (call $spawn (i32.const 352) (i32.const 5) (i32.const 0) (i32.const 0)))
        (drop (call $expect (i32.const 6)))
        ;; The worker returns right after its "bye": send until the kernel says it ended.
        (local.set $i (i32.const 50000000))
        (block $failed
          (loop $again
            (local.set $r (call $send (local.get $h) (i32.const 372) (i32.const 1)))
            (br_if $failed (i32.eq (local.get $r) (i32.const -5)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br_if $again (local.get $i))))
        (call $report (i32.const 1) (local.get $r))
        (call $report (i32.const 2) (i32.eq (call $expect (i32.const 7)) (local.get $h)))
        (call $report (i32.const 3) (call $code))
        (call $report (i32.const 4) (call $send (local.get $h) (i32.const 372) (i32.const 1)))
        (call $exit (i32.const 0))))
    (call $exit (i32.const 98)))

  ;; Workers.
  (func (export "idle")
    (loop $again
      (drop (call $expect (i32.const 6)))
      (br_if $again (i32.ne (i32.load8_u (call $payload)) (i32.const 113)))))

  (func (export "echo")
    (local $link i32)
    (drop (call $args))
    (drop (call $next))
    (local.set $link (call $handle))
    (call $report (i32.const 101) (call $kind))
    (call $report (i32.const 102) (local.get $link))
    (call $report (i32.const 103) (call $length))
    (call $report (i32.const 104) (i32.load (call $payload)))
    (call $report (i32.const 105) (i32.load (i32.const 8192)))
    (i32.store (i32.const 8192) (i32.const 0x5678))
    (call $report (i32.const 106) (call $export_arg2))
    (call $report (i32.const 107) (call $send (local.get $link) (call $payload) (call $length)))
    (drop (call $expect (i32.const 6)))
    (call $exit (i32.load8_u (call $payload))))

  (func (export "crash") unreachable)

  (func (export "neg") (call $exit (i32.const -5)))

  (func (export "hold")
    (drop (call $send (call $expect (i32.const 6)) (i32.const 368) (i32.const 2)))
    (loop $forever
      (drop (call $next))
      (br $forever)))

  (func (export "quick")
    (drop (call $send (call $expect (i32.const 6)) (i32.const 380) (i32.const 3))))

  ;; Exported, but not () -> (): not a worker entry.
  (func (export "typed") (param i32) (result i32) (local.get 0)))
