#!/usr/bin/env bash
# Writes to stdout a C program with N functions (default 7000) that compiles
# (clang --target=wasm32-wasi -O0, as scripts/bench does) to a WASI module of
# about 20 MB: the large module of the coldstart benchmark
# (docs/benchmarks.md). -O0 because it makes the most code per second of
# clang. Each function mixes its argument with its own constants, so no two
# are alike. They are all in one table, which keeps every one in the module;
# main calls eight of them through it and prints the sum, the same under every
# engine. (Calling all of them runs each for the first time, interpreted, for
# seconds: a start-up benchmark times the start.)
#
# Usage: bench/coldstart/gen-large.sh [N] > large.c
set -euo pipefail
n=${1:-7000}
if ! [[ "$n" =~ ^[1-9][0-9]{0,5}$ ]]; then
  echo "gen-large.sh: N must be a number from 1 to 999999, not '$n'" >&2
  exit 2
fi
LC_ALL=C awk -v n="$n" 'BEGIN {
  print "#include <stdint.h>"
  print "#include <stdio.h>"
  print ""
  print "typedef uint32_t (*step)(uint32_t);"
  for (f = 0; f < n; f++) {
    printf "static uint32_t f%d(uint32_t x) {\n", f
    printf "  uint32_t a = x ^ %uu, b = x + %uu;\n", (f * 2654435761) % 4294967296, f * 40503 + 7
    for (i = 0; i < 12; i++) {
      k = (f * 131 + i * 977) % 65521 + 1
      printf "  a = a * %uu + (b >> %d);\n", k * 2 + 1, (i % 13) + 1
      printf "  b ^= (a << %d) | (a >> %d);\n", (k % 29) + 1, 32 - (k % 29) - 1
      printf "  if (a & %uu) b += %uu; else a -= b;\n", 1 + k % 255, k
    }
    print "  return a ^ b;"
    print "}"
  }
  print ""
  printf "static const step steps[%d] = {\n", n
  for (f = 0; f < n; f++) printf "  f%d,\n", f
  print "};"
  print ""
  print "int main(void) {"
  print "  uint32_t sum = 0;"
  printf "  for (int i = 0; i < %d; i += %d) sum += steps[i]((uint32_t)i);\n", n, int((n + 7) / 8)
  print "  printf(\"large: %u\\n\", (unsigned)sum);"
  print "  return 0;"
  print "}"
}'
