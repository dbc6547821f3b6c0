;; Refused by the loader: imports a table.
(module (import "env" "table" (table 1 funcref)) (memory 1) (func (export "_start")))
