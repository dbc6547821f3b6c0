/*
 * idle: a process that says it is up, then waits forever, for measuring
 * what an idle process costs the kernel (heap per process). It writes with
 * write(2), not stdio, to stay as small as a process can be.
 */
#include <unistd.h>

#include "parigot_abi.h"

int main(void) {
  write(1, "idle\n", 5);
  parigot_event ev;
  uint8_t buf[16];
  for (;;) {
    parigot_wait(&ev, 1, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
  }
}
