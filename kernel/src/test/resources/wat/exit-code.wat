;; A main that ends with exit(42) through the parigot ABI.
(module
  (import "parigot" "exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start") (call $exit (i32.const 42))))
