/* work: squares numbers in workers, one worker per number. */
#ifndef WORK_H
#define WORK_H

#include <stdint.h>

#include "parigot.h"

/*
 * Squares each of the n numbers in a worker of its own (at most 16, the
 * manifest's max_workers) and stores the squares in out, in order. Runs the
 * loop until every worker has answered. Returns 0, or the first failure:
 * pg_spawn's status, or -PARIGOT_E_PROVIDER_DIED if a worker died.
 */
int32_t square_all(pg_loop *loop, const int32_t *numbers, uint32_t n, int64_t *out);

#endif /* WORK_H */
