/*
 * idle: a process that waits forever and does nothing else, for measuring
 * what an idle process costs the kernel (heap per process).
 */
#include "parigot_abi.h"

int main(void) {
  parigot_event ev;
  uint8_t buf[16];
  for (;;) {
    parigot_wait(&ev, 1, buf, (int32_t)sizeof buf, PARIGOT_TIMEOUT_DEFAULT);
  }
}
