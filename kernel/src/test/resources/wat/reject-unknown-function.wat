;; Refused by the loader: imports a function that is neither ABI nor WASI.
(module (import "env" "launch_missiles" (func)) (memory 1) (func (export "_start")))
