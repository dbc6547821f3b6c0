/* matmul: C = A x B for 256x256 doubles, 4 times, i-k-j order:
 * floating-point multiply-adds over rows that stay in cache. */
#include "compute.h"

#define N 256
#define ROUNDS 4

static double a[N][N], b[N][N], c[N][N];

static uint64_t work(void) {
  double sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        c[i][j] = 0;
      }
    }
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < N; k++) {
        double x = a[i][k];
        for (int j = 0; j < N; j++) {
          c[i][j] += x * b[k][j];
        }
      }
    }
    for (int i = 0; i < N; i++) {
      sum += c[i][(i + r) % N];
    }
  }
  return (uint64_t)(sum * 1000.0);
}

int main(void) {
  uint32_t s = 2;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) {
      a[i][j] = (double)(bench_lcg(&s) % 1000) / 100.0;
      b[i][j] = (double)(bench_lcg(&s) % 1000) / 100.0;
    }
  }
  return bench_main("matmul", work);
}
