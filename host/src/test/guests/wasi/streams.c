/*
 * streams: standard streams and exit codes as a plain WASI program sees them.
 * With no argument, copies stdin to stdout byte for byte. "tail" writes a
 * line and then a last line without a newline to stdout and stderr.
 * "binary" writes bytes that are not UTF-8 text, with a CR before the LF.
 * "exit N" exits with code N (any int, through proc_exit). "abort" traps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
      fwrite(buf, 1, n, stdout);
    }
    return ferror(stdin) ? 1 : 0;
  }
  if (strcmp(argv[1], "tail") == 0) {
    fputs("first\nlast without newline", stdout);
    fputs("err first\nerr last", stderr);
    return 0;
  }
  if (strcmp(argv[1], "binary") == 0) {
    static const unsigned char bytes[] = {0xff, 0xfe, 'a', 0x80, '\r', '\n', 0xc3};
    fwrite(bytes, 1, sizeof bytes, stdout);
    return 0;
  }
  if (strcmp(argv[1], "exit") == 0 && argc > 2) {
    exit(atoi(argv[2]));
  }
  if (strcmp(argv[1], "abort") == 0) {
    abort();
  }
  fprintf(stderr, "streams: unknown argument %s\n", argv[1]);
  return 2;
}
