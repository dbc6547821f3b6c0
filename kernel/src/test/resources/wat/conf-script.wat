;; A scripted process for the ABI conformance suite (the Java side writes the manifest: see Conf).
;; argv[1] is the process's report id; each later argument is one command, run in order:
;;   l NAME          locate NAME (the rest of the argument, so it may be empty or hold spaces)
;;   e NAME          export NAME
;;   c S M LEN T     call service S, method M, with LEN data bytes, timeout T ms
;;   C S M LEN T     the same without reporting (a report is a call, which needs a free slot)
;;   v K             report the value of command K
;;   x H             cancel H
;;   w MAX BUF T     wait for up to MAX events with a BUF-byte payload buffer, timeout T ms
;;   d               drain: wait for one event at a time until an END or ERROR
;;   r ID FLAGS LEN  reply with LEN data bytes
;;   f ID CODE LEN   fail with a LEN-byte message of data bytes
;;   s ID LEN        stream: REPLY_PARTIAL with LEN data bytes until one is refused
;;   g NAME          call NAME (a test gate that blocks in the kernel) and cancel that channel
;;   a               answer forever: END every CALL with its own request
;;   t               trap (unreachable)
;; A number is decimal, maybe negative; $K is the value command K (counted from 0) left:
;; its result; for w the handle of its first event when it got any; for d the number of events.
;; Data bytes are "abcdefghijklmnopqrstuvwxyz" repeated. After the last command the process waits
;; forever, dropping what comes.
;;
;; Reports are calls to parigot.test.v1.Probe with method id * 16 + tag, cancelled at once so that
;; their END never shows among the events the script looks at:
;;   tag 1 result  [i32 command][i32 value]   every command but C, t, a (s: count, then result)
;;   tag 2 event   [i32 command][32-byte record][payload]   w: after its result, one per record
;;                 (and record 0 on BUFFER_TOO_SMALL, without payload); d: each event, then its
;;                 result. The payload is left out if the report would be too big.
;;
;; Memory (4 pages):
;;   0       argc, argv buffer size          32     "parigot.test.v1.Probe"
;;   256     values of commands 0..63 (i32 each)
;;   1024    argv pointers                   2048   argv bytes (up to 14 KiB)
;;   16384   event records (1024 x 32 B)     49152  data bytes (16 KiB)
;;   65536   payload buffer (64 KiB)         131072 report being sent (up to 64 KiB + 36)
(module
  (import "parigot" "locate" (func $locate (param i32 i32) (result i32)))
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "call" (func $call (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "wait" (func $wait (param i32 i32 i32 i32 i64) (result i32)))
  (import "parigot" "reply" (func $reply (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "fail" (func $fail (param i32 i32 i32 i32) (result i32)))
  (import "parigot" "cancel" (func $cancel (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  (data (i32.const 32) "parigot.test.v1.Probe")

  (global $probe (mut i32) (i32.const 0))
  (global $id (mut i32) (i32.const 0))
  (global $cmd (mut i32) (i32.const 0))
  ;; Parse cursor: the address of the next character of the command.
  (global $pos (mut i32) (i32.const 0))

  ;; Sends the report at 131072 (len bytes); returns the probe channel or the error.
  (func $send (param $tag i32) (param $len i32) (result i32)
    (local $ch i32)
    (local.set $ch
      (call $call (global.get $probe)
        (i32.add (i32.shl (global.get $id) (i32.const 4)) (local.get $tag))
        (i32.const 131072) (local.get $len) (i64.const 0)))
    (if (i32.gt_s (local.get $ch) (i32.const 0))
      (then (drop (call $cancel (local.get $ch)))))
    (local.get $ch))

  ;; Reports the current command's value and returns it.
  (func $result (param $value i32) (result i32)
    (i32.store (i32.const 131072) (global.get $cmd))
    (i32.store (i32.const 131076) (local.get $value))
    (if (i32.le_s (call $send (i32.const 1) (i32.const 8)) (i32.const 0)) (then unreachable))
    (local.get $value))

  ;; Reports the event record at $rec, with its payload from the buffer if $payload.
  (func $event (param $rec i32) (param $payload i32)
    (local $len i32)
    (i32.store (i32.const 131072) (global.get $cmd))
    (memory.copy (i32.const 131076) (local.get $rec) (i32.const 32))
    (local.set $len
      (select (i32.load offset=20 (local.get $rec)) (i32.const 0) (local.get $payload)))
    (memory.copy (i32.const 131108)
      (i32.add (i32.const 65536) (i32.load offset=16 (local.get $rec))) (local.get $len))
    (if (i32.le_s (call $send (i32.const 2) (i32.add (i32.const 36) (local.get $len))) (i32.const 0))
      (then
        (if (i32.le_s (call $send (i32.const 2) (i32.const 36)) (i32.const 0)) (then unreachable)))))

  ;; The next number of the command: skips one space; $K reads the value of command K.
  (func $num (result i64)
    (local $reg i32) (local $neg i32) (local $c i32) (local $v i64)
    (if (i32.eq (i32.load8_u (global.get $pos)) (i32.const 32))
      (then (global.set $pos (i32.add (global.get $pos) (i32.const 1)))))
    (if (i32.eq (i32.load8_u (global.get $pos)) (i32.const 36))
      (then
        (local.set $reg (i32.const 1))
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))))
    (if (i32.eq (i32.load8_u (global.get $pos)) (i32.const 45))
      (then
        (local.set $neg (i32.const 1))
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))))
    (block $end
      (loop $digit
        (local.set $c (i32.sub (i32.load8_u (global.get $pos)) (i32.const 48)))
        (br_if $end (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v
          (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
        (br $digit)))
    (if (local.get $neg) (then (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (if (result i64) (local.get $reg)
      (then
        (i64.extend_i32_s
          (i32.load (i32.add (i32.const 256) (i32.shl (i32.wrap_i64 (local.get $v)) (i32.const 2))))))
      (else (local.get $v))))

  (func $int (result i32) (i32.wrap_i64 (call $num)))

  (func $strlen (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $s)))

  ;; w MAX BUF T
  (func $wait-cmd (result i32)
    (local $n i32) (local $i i32)
    (local.set $n
      (call $wait (i32.const 16384) (call $int) (i32.const 65536) (call $int) (call $num)))
    (drop (call $result (local.get $n)))
    (if (i32.eq (local.get $n) (i32.const -10)) (then (call $event (i32.const 16384) (i32.const 0))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (call $event (i32.add (i32.const 16384) (i32.shl (local.get $i) (i32.const 5))) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (if (result i32) (i32.gt_s (local.get $n) (i32.const 0))
      (then (i32.load (i32.const 16388)))
      (else (local.get $n))))

  ;; d
  (func $drain (result i32)
    (local $count i32) (local $kind i32)
    (loop $next
      (if (i32.ne
            (call $wait (i32.const 16384) (i32.const 1) (i32.const 65536) (i32.const 65536) (i64.const -1))
            (i32.const 1))
        (then unreachable))
      (call $event (i32.const 16384) (i32.const 1))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (local.set $kind (i32.load (i32.const 16384)))
      (br_if $next (i32.and (i32.ne (local.get $kind) (i32.const 2)) (i32.ne (local.get $kind) (i32.const 3)))))
    (call $result (local.get $count)))

  ;; s ID LEN
  (func $stream (result i32)
    (local $id i32) (local $len i32) (local $r i32) (local $count i32)
    (local.set $id (call $int))
    (local.set $len (call $int))
    (block $refused
      (loop $again
        (local.set $r (call $reply (local.get $id) (i32.const 0) (i32.const 49152) (local.get $len)))
        (br_if $refused (local.get $r))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $again)))
    (drop (call $result (local.get $count)))
    (call $result (local.get $r)))

  ;; g NAME
  (func $gate (param $name i32) (param $len i32) (result i32)
    (call $result
      (call $cancel
        (call $call (call $locate (local.get $name) (local.get $len))
          (i32.const 0) (i32.const 49152) (i32.const 0) (i64.const 0)))))

  ;; a
  (func $answer
    (loop $forever
      (if (i32.eq
            (call $wait (i32.const 16384) (i32.const 1) (i32.const 65536) (i32.const 65536) (i64.const -1))
            (i32.const 1))
        (then
          (if (i32.eq (i32.load (i32.const 16384)) (i32.const 4))
            (then
              (drop
                (call $reply (i32.load (i32.const 16388)) (i32.const 1)
                  (i32.add (i32.const 65536) (i32.load (i32.const 16400)))
                  (i32.load (i32.const 16404))))))))
      (br $forever)))

  ;; Runs one command (its text at $arg, $len bytes) and returns its value.
  (func $run (param $arg i32) (param $len i32) (result i32)
    (local $op i32) (local $name i32) (local $nlen i32)
    (local.set $op (i32.load8_u (local.get $arg)))
    (global.set $pos (i32.add (local.get $arg) (i32.const 1)))
    (local.set $name (i32.add (local.get $arg) (i32.const 2)))
    (local.set $nlen
      (select (i32.sub (local.get $len) (i32.const 2)) (i32.const 0)
        (i32.gt_s (local.get $len) (i32.const 2))))
    (if (i32.eq (local.get $op) (i32.const 108)) ;; l
      (then (return (call $result (call $locate (local.get $name) (local.get $nlen))))))
    (if (i32.eq (local.get $op) (i32.const 101)) ;; e
      (then (return (call $result (call $export (local.get $name) (local.get $nlen))))))
    (if (i32.eq (local.get $op) (i32.const 99)) ;; c
      (then
        (return
          (call $result
            (call $call (call $int) (call $int) (i32.const 49152) (call $int) (call $num))))))
    (if (i32.eq (local.get $op) (i32.const 67)) ;; C
      (then
        (return (call $call (call $int) (call $int) (i32.const 49152) (call $int) (call $num)))))
    (if (i32.eq (local.get $op) (i32.const 118)) ;; v
      (then (return (call $result (call $int)))))
    (if (i32.eq (local.get $op) (i32.const 120)) ;; x
      (then (return (call $result (call $cancel (call $int))))))
    (if (i32.eq (local.get $op) (i32.const 119)) ;; w
      (then (return (call $wait-cmd))))
    (if (i32.eq (local.get $op) (i32.const 100)) ;; d
      (then (return (call $drain))))
    (if (i32.eq (local.get $op) (i32.const 114)) ;; r
      (then
        (return
          (call $result (call $reply (call $int) (call $int) (i32.const 49152) (call $int))))))
    (if (i32.eq (local.get $op) (i32.const 102)) ;; f
      (then
        (return
          (call $result (call $fail (call $int) (call $int) (i32.const 49152) (call $int))))))
    (if (i32.eq (local.get $op) (i32.const 115)) ;; s
      (then (return (call $stream))))
    (if (i32.eq (local.get $op) (i32.const 103)) ;; g
      (then (return (call $gate (local.get $name) (local.get $nlen)))))
    (if (i32.eq (local.get $op) (i32.const 97)) ;; a
      (then (call $answer)))
    ;; t, or a command this guest does not know
    unreachable)

  (func (export "_start")
    (local $i i32) (local $argc i32) (local $arg i32)
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_u (local.get $i) (i32.const 16384)))
        (i32.store8 (i32.add (i32.const 49152) (local.get $i))
          (i32.add (i32.const 97) (i32.rem_u (local.get $i) (i32.const 26))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (local.set $argc (i32.load (i32.const 0)))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 14336)) (then unreachable))
    (if (i32.gt_u (local.get $argc) (i32.const 66)) (then unreachable))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (global.set $probe (call $locate (i32.const 32) (i32.const 21)))
    (if (i32.le_s (global.get $probe) (i32.const 0)) (then unreachable))
    (global.set $pos (i32.load (i32.const 1028)))
    (global.set $id (call $int))
    (local.set $i (i32.const 2))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (global.set $cmd (i32.sub (local.get $i) (i32.const 2)))
        (i32.store (i32.add (i32.const 256) (i32.shl (global.get $cmd) (i32.const 2)))
          (call $run (local.get $arg) (call $strlen (local.get $arg))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (loop $forever
      (drop (call $wait (i32.const 16384) (i32.const 16) (i32.const 65536) (i32.const 65536) (i64.const -1)))
      (br $forever)))
)
