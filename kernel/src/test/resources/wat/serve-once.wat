;; A main that exports test.v1.Echo and ends at once with exit(7), serving nothing: it has
;; started (it served its exports) and often ends before the launch looks at it.
(module
  (import "parigot" "export" (func $export (param i32 i32) (result i32)))
  (import "parigot" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "test.v1.Echo")
  (func (export "_start")
    (if (i32.lt_s (call $export (i32.const 0) (i32.const 12)) (i32.const 0)) (then unreachable))
    (call $exit (i32.const 7))))
