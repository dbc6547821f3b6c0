/*
 * upper: a plain WASI command, nothing of Parigot in it. Copies the file
 * /in/NAME to /out/NAME for each NAME given, with ASCII letters upper-cased
 * and every other byte as it was, and says what it copied on stdout.
 *
 *   parigot run examples/wasi/app.toml
 *   parigot exec examples/wasi/upper.wasm --dir /in=examples/wasi/in:ro \
 *       --dir /out=/tmp -- greeting.txt
 *
 * Reads with fseek/ftell/fread and writes with fwrite through wasi-libc, as
 * any C program would; exits 1 with the reason on stderr if a file cannot be
 * read or written.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int copy(const char *name) {
  char in_path[512], out_path[512];
  snprintf(in_path, sizeof in_path, "/in/%s", name);
  snprintf(out_path, sizeof out_path, "/out/%s", name);

  FILE *in = fopen(in_path, "rb");
  if (in == NULL) {
    fprintf(stderr, "upper: %s: %s\n", in_path, strerror(errno));
    return 1;
  }
  if (fseek(in, 0, SEEK_END) != 0) {
    fprintf(stderr, "upper: %s: cannot seek: %s\n", in_path, strerror(errno));
    fclose(in);
    return 1;
  }
  long size = ftell(in);
  rewind(in);
  unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
  if (data == NULL || fread(data, 1, (size_t)size, in) != (size_t)size) {
    fprintf(stderr, "upper: %s: cannot read\n", in_path);
    free(data);
    fclose(in);
    return 1;
  }
  fclose(in);
  for (long i = 0; i < size; i++) {
    if (data[i] < 0x80) data[i] = (unsigned char)toupper(data[i]);
  }

  FILE *out = fopen(out_path, "wb");
  if (out == NULL) {
    fprintf(stderr, "upper: %s: %s\n", out_path, strerror(errno));
    free(data);
    return 1;
  }
  size_t written = fwrite(data, 1, (size_t)size, out);
  free(data);
  if (fclose(out) != 0 || written != (size_t)size) {
    fprintf(stderr, "upper: %s: cannot write: %s\n", out_path, strerror(errno));
    return 1;
  }
  printf("upper: %s -> %s (%ld bytes)\n", in_path, out_path, size);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: upper NAME...  (copies /in/NAME to /out/NAME, upper-cased)\n");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (copy(argv[i]) != 0) return 1;
  }
  return 0;
}
