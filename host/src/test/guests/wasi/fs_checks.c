/*
 * fs_checks: exercises WASI directory grants through ordinary stdio and POSIX
 * calls (wasi-libc), checking every result. Expects /data granted read-write
 * and empty, and /ro granted read-only holding given.txt ("read me\n").
 * Prints "fs_checks: N checks passed" and exits 0, or names each failed
 * check on stderr and exits 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int checks;
static int failed;

#define CHECK(cond)                                                          \
  do {                                                                       \
    checks++;                                                                \
    if (!(cond)) {                                                           \
      fprintf(stderr, "fs_checks: line %d failed: %s (errno %d: %s)\n",      \
              __LINE__, #cond, errno, strerror(errno));                      \
      failed++;                                                              \
    }                                                                        \
  } while (0)

static int write_file(const char *path, const char *mode, const char *text) {
  FILE *f = fopen(path, mode);
  if (f == NULL) return -1;
  size_t n = fwrite(text, 1, strlen(text), f);
  return fclose(f) == 0 && n == strlen(text) ? 0 : -1;
}

static long read_file(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return -1;
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return (long)n;
}

static long size_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The names in a directory but "." and "..", sorted, joined by ','. */
static int list(const char *path, char *out, size_t cap) {
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  char names[16][64];
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && count < 16) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(names[count++], sizeof names[0], "%s", e->d_name);
  }
  closedir(d);
  for (int i = 1; i < count; i++) {
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char t[64];
      memcpy(t, names[j], sizeof t);
      memcpy(names[j], names[j - 1], sizeof t);
      memcpy(names[j - 1], t, sizeof t);
    }
  }
  out[0] = '\0';
  for (int i = 0; i < count; i++) {
    if (i > 0) strncat(out, ",", cap - strlen(out) - 1);
    strncat(out, names[i], cap - strlen(out) - 1);
  }
  return count;
}

static void read_write(void) {
  char buf[256];
  CHECK(write_file("/data/a.txt", "w", "hello world\n") == 0);
  CHECK(read_file("/data/a.txt", buf, sizeof buf) == 12 && strcmp(buf, "hello world\n") == 0);

  FILE *f = fopen("/data/a.txt", "r");
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK(fseek(f, 6, SEEK_SET) == 0);
    CHECK(fread(buf, 1, 5, f) == 5 && memcmp(buf, "world", 5) == 0);
    CHECK(fseek(f, 0, SEEK_END) == 0 && ftell(f) == 12);
    CHECK(fseek(f, -6, SEEK_CUR) == 0 && fgetc(f) == 'w');
    fclose(f);
  }

  CHECK(write_file("/data/a.txt", "a", "more\n") == 0);
  CHECK(size_of("/data/a.txt") == 17);
  CHECK(read_file("/data/a.txt", buf, sizeof buf) == 17 && strcmp(buf, "hello world\nmore\n") == 0);

  /* "r+" writes in place. */
  f = fopen("/data/a.txt", "r+");
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK(fseek(f, 0, SEEK_SET) == 0 && fwrite("HELLO", 1, 5, f) == 5);
    fclose(f);
  }
  CHECK(read_file("/data/a.txt", buf, sizeof buf) == 17 && strncmp(buf, "HELLO world", 11) == 0);

  errno = 0;
  CHECK(fopen("/data/missing.txt", "r") == NULL && errno == ENOENT);

  int fd = open("/data/excl.txt", O_CREAT | O_EXCL | O_WRONLY, 0644);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  errno = 0;
  CHECK(open("/data/excl.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 && errno == EEXIST);
  CHECK(unlink("/data/excl.txt") == 0);
}

static void directories(void) {
  char buf[256];
  struct stat st;
  CHECK(stat("/data", &st) == 0 && S_ISDIR(st.st_mode));
  CHECK(mkdir("/data/sub", 0755) == 0);
  errno = 0;
  CHECK(mkdir("/data/sub", 0755) < 0 && errno == EEXIST);
  CHECK(stat("/data/sub", &st) == 0 && S_ISDIR(st.st_mode));
  errno = 0;
  CHECK(mkdir("/data/none/deeper", 0755) < 0 && errno == ENOENT);

  CHECK(rename("/data/a.txt", "/data/sub/b.txt") == 0);
  errno = 0;
  CHECK(stat("/data/a.txt", &st) < 0 && errno == ENOENT);
  CHECK(stat("/data/sub/b.txt", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 17);

  /* A ".." that stays inside the grant is resolved. */
  CHECK(write_file("/data/sub/../top.txt", "w", "top") == 0);
  CHECK(size_of("/data/top.txt") == 3);

  CHECK(truncate("/data/sub/b.txt", 5) == 0 && size_of("/data/sub/b.txt") == 5);
  CHECK(truncate("/data/sub/b.txt", 10) == 0 && size_of("/data/sub/b.txt") == 10);
  FILE *f = fopen("/data/sub/b.txt", "r");
  CHECK(f != NULL);
  if (f != NULL) {
    char z[10];
    CHECK(fread(z, 1, 10, f) == 10 && memcmp(z, "HELLO\0\0\0\0\0", 10) == 0);
    fclose(f);
  }
  int fd = open("/data/sub/b.txt", O_WRONLY);
  CHECK(fd >= 0 && ftruncate(fd, 2) == 0);
  if (fd >= 0) close(fd);
  CHECK(size_of("/data/sub/b.txt") == 2);

  CHECK(write_file("/data/sub/d.txt", "w", "d") == 0);
  CHECK(write_file("/data/sub/c.txt", "w", "c") == 0);
  CHECK(mkdir("/data/sub/e", 0755) == 0);
  CHECK(list("/data/sub", buf, sizeof buf) == 4 && strcmp(buf, "b.txt,c.txt,d.txt,e") == 0);

  errno = 0;
  CHECK(rmdir("/data/sub") < 0 && errno == ENOTEMPTY);
  CHECK(unlink("/data/sub/b.txt") == 0);
  errno = 0;
  CHECK(unlink("/data/sub/b.txt") < 0 && errno == ENOENT);
  errno = 0;
  CHECK(unlink("/data/sub/e") < 0 && (errno == EISDIR || errno == EPERM));
  errno = 0;
  CHECK(rmdir("/data/sub/c.txt") < 0 && errno == ENOTDIR);
  CHECK(rename("/data/sub/e", "/data/e2") == 0 && rmdir("/data/e2") == 0);
  CHECK(unlink("/data/sub/c.txt") == 0 && unlink("/data/sub/d.txt") == 0);
  CHECK(rmdir("/data/sub") == 0);
  errno = 0;
  CHECK(stat("/data/sub", &st) < 0 && errno == ENOENT);
  CHECK(list("/data", buf, sizeof buf) == 1 && strcmp(buf, "top.txt") == 0);
}

static void read_only(void) {
  char buf[64];
  struct stat st;
  CHECK(read_file("/ro/given.txt", buf, sizeof buf) == 8 && strcmp(buf, "read me\n") == 0);
  CHECK(stat("/ro/given.txt", &st) == 0 && st.st_size == 8);
  CHECK(list("/ro", buf, sizeof buf) == 1 && strcmp(buf, "given.txt") == 0);
  errno = 0;
  CHECK(fopen("/ro/new.txt", "w") == NULL && errno == EROFS);
  errno = 0;
  CHECK(fopen("/ro/given.txt", "a") == NULL && errno == EROFS);
  errno = 0;
  CHECK(fopen("/ro/given.txt", "r+") == NULL && errno == EROFS);
  errno = 0;
  CHECK(unlink("/ro/given.txt") < 0 && errno == EROFS);
  errno = 0;
  CHECK(mkdir("/ro/d", 0755) < 0 && errno == EROFS);
  errno = 0;
  CHECK(rename("/ro/given.txt", "/ro/moved.txt") < 0 && errno == EROFS);
  errno = 0;
  CHECK(truncate("/ro/given.txt", 0) < 0 && errno == EROFS);
  CHECK(size_of("/ro/given.txt") == 8);
}

int main(void) {
  read_write();
  directories();
  read_only();
  if (failed > 0) {
    fprintf(stderr, "fs_checks: %d of %d checks failed\n", failed, checks);
    return 1;
  }
  printf("fs_checks: %d checks passed\n", checks);
  return 0;
}
