;; Refused by the loader: imports a name from the parigot module that the ABI does not have.
(module (import "parigot" "reboot" (func)) (memory 1) (func (export "_start")))
