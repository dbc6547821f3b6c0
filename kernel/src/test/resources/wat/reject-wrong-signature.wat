;; Refused by the loader: imports parigot.locate with the wrong signature.
(module (import "parigot" "locate" (func (param i64) (result i32))) (memory 1) (func (export "_start")))
