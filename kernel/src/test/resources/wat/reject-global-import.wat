;; Refused by the loader: imports a global.
(module (import "env" "g" (global i32)) (memory 1) (func (export "_start")))
