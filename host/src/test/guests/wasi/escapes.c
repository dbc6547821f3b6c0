/*
 * escapes: tries to leave its granted directory /data and checks that every
 * try fails. Expects the host to have put in /data a file ok.txt, a directory
 * sub, a link out_link to a directory outside holding secret.txt, and a link
 * file_link to that secret.txt. Prints "escapes: N tries refused" and exits 0,
 * or names each try that got through on stderr and exits 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static int tries;
static int failed;

#define REFUSED(cond)                                                       \
  do {                                                                      \
    tries++;                                                                \
    errno = 0;                                                              \
    if (!(cond)) {                                                          \
      fprintf(stderr, "escapes: line %d got through: %s\n", __LINE__,       \
              #cond);                                                       \
      failed++;                                                             \
    }                                                                       \
  } while (0)

/* A path_open straight to the host, past wasi-libc's own checks. */
static __wasi_errno_t raw_open(const char *path) {
  __wasi_fd_t fd;
  return __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
                          __WASI_RIGHTS_FD_READ, 0, 0, &fd);
}

int main(void) {
  struct stat st;
  /* Climbing out by "..". */
  REFUSED(fopen("/data/../secret.txt", "r") == NULL && errno == ENOTCAPABLE);
  REFUSED(fopen("/data/sub/../../secret.txt", "r") == NULL && errno == ENOTCAPABLE);
  REFUSED(stat("/data/..", &st) < 0 && errno == ENOTCAPABLE);
  REFUSED(opendir("/data/sub/../..") == NULL && errno == ENOTCAPABLE);
  REFUSED(mkdir("/data/../made", 0755) < 0 && errno == ENOTCAPABLE);
  REFUSED(rename("/data/ok.txt", "/data/../ok.txt") < 0 && errno == ENOTCAPABLE);
  REFUSED(raw_open("..") == __WASI_ERRNO_NOTCAPABLE);
  REFUSED(raw_open("sub/../../secret.txt") == __WASI_ERRNO_NOTCAPABLE);

  /* Absolute paths, given to the host as they are. */
  REFUSED(raw_open("/etc/passwd") == __WASI_ERRNO_NOTCAPABLE);
  REFUSED(raw_open("/") == __WASI_ERRNO_NOTCAPABLE);

  /* Links the host made: never followed, anywhere along a path. */
  REFUSED(fopen("/data/file_link", "r") == NULL && errno == ENOTCAPABLE);
  REFUSED(fopen("/data/file_link", "w") == NULL && errno == ENOTCAPABLE);
  REFUSED(fopen("/data/out_link/secret.txt", "r") == NULL && errno == ENOTCAPABLE);
  REFUSED(fopen("/data/out_link/new.txt", "w") == NULL && errno == ENOTCAPABLE);
  REFUSED(stat("/data/out_link/secret.txt", &st) < 0 && errno == ENOTCAPABLE);
  REFUSED(stat("/data/file_link", &st) < 0 && errno == ENOTCAPABLE);
  REFUSED(opendir("/data/out_link") == NULL && errno == ENOTCAPABLE);
  REFUSED(mkdir("/data/out_link/d", 0755) < 0 && errno == ENOTCAPABLE);
  REFUSED(rename("/data/ok.txt", "/data/out_link/ok.txt") < 0 && errno == ENOTCAPABLE);
  REFUSED(rename("/data/out_link/secret.txt", "/data/stolen.txt") < 0 && errno == ENOTCAPABLE);
  REFUSED(unlink("/data/out_link/secret.txt") < 0 && errno == ENOTCAPABLE);
  REFUSED(truncate("/data/file_link", 0) < 0 && errno == ENOTCAPABLE);
  REFUSED(raw_open("out_link/secret.txt") == __WASI_ERRNO_NOTCAPABLE);

  /* Guests make no links. */
  REFUSED(symlink("/etc/passwd", "/data/my_link") < 0);
  REFUSED(symlink("ok.txt", "/data/my_link") < 0);
  REFUSED(link("/data/ok.txt", "/data/hard_link") < 0);

  /* What is inside stays reachable. */
  char buf[8] = {0};
  FILE *f = fopen("/data/ok.txt", "r");
  if (f == NULL || fread(buf, 1, 2, f) != 2 || strcmp(buf, "ok") != 0) {
    fprintf(stderr, "escapes: /data/ok.txt cannot be read\n");
    failed++;
  }
  if (f != NULL) fclose(f);

  if (failed > 0) {
    fprintf(stderr, "escapes: %d of %d tries got through\n", failed, tries);
    return 1;
  }
  printf("escapes: %d tries refused\n", tries);
  return 0;
}
