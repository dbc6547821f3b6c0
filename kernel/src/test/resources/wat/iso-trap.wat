;; iso-trap: a main that dies of the trap its first argument names (argv[1][0]):
;;   u  unreachable                     d  i32 divide by zero
;;   o  load past the end of memory     s  stack exhaustion (unbounded recursion)
;;   w  load whose base + offset is past 2 GiB, the largest memory
;;   t  call_indirect whose table slot has another type
;;   n  call_indirect through a null table slot
;;   x  call_indirect past the end of the table
;; Any other argument exits with code 3 (no trap).
;; Memory (1 page): argc/argv-size at 0, argv pointers at 16, argv bytes at 64.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (type $nullary (func))
  (type $unary (func (param i32) (result i32)))
  (memory 1)
  ;; Slot 0 holds a () -> () function; slot 1 stays null.
  (table 2 funcref)
  (elem (i32.const 0) $nothing)
  (func $nothing)

  ;; Never returns: each frame adds one after its callee, so it is no tail call.
  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  ;; argv[1][0], or 0 without an argument.
  (func $mode (result i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2)) (then (return (i32.const 0))))
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    (i32.load8_u (i32.load (i32.const 20))))

  (func (export "_start")
    (local $m i32)
    (local.set $m (call $mode))
    (if (i32.eq (local.get $m) (i32.const 117)) (then unreachable))
    (if (i32.eq (local.get $m) (i32.const 100))
      (then (drop (i32.div_s (i32.const 1) (i32.sub (local.get $m) (i32.const 100))))))
    (if (i32.eq (local.get $m) (i32.const 111))
      (then (drop (i32.load (i32.add (local.get $m) (i32.const 65425))))))
    (if (i32.eq (local.get $m) (i32.const 119))
      (then (drop (i32.load offset=2147483632 (i32.add (local.get $m) (i32.const 16))))))
    (if (i32.eq (local.get $m) (i32.const 115))
      (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $m) (i32.const 116))
      (then (drop (call_indirect (type $unary) (i32.const 1) (i32.const 0)))))
    (if (i32.eq (local.get $m) (i32.const 110))
      (then (call_indirect (type $nullary) (i32.const 1))))
    (if (i32.eq (local.get $m) (i32.const 120))
      (then (call_indirect (type $nullary) (i32.add (local.get $m) (i32.const 0)))))
    (call $exit (i32.const 3))))
