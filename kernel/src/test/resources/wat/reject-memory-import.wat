;; Refused by the loader: imports a memory from outside the process.
(module (import "env" "memory" (memory 1)) (func (export "_start")))
