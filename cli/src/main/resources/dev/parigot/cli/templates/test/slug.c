#include "slug.h"

#include <ctype.h>

int slug(const char *title, char *out, size_t cap) {
  size_t n = 0;
  int dash = 0;
  for (const unsigned char *p = (const unsigned char *)title; *p != '\0'; p++) {
    if (isalnum(*p) && *p < 128) {
      if (dash && n > 0) {
        if (n + 1 >= cap) return -1;
        out[n++] = '-';
      }
      if (n + 1 >= cap) return -1;
      out[n++] = (char)tolower(*p);
      dash = 0;
    } else {
      dash = 1;
    }
  }
  if (cap == 0) return -1;
  out[n] = '\0';
  return (int)n;
}
