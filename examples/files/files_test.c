/*
 * files_test: exercises parigot.file.v1.File and reports through
 * parigot.test.v1.Test (parigot_test.h).
 *
 * The file service's requests and results are encoded and decoded by hand
 * with parigot_wire.h from the field numbers in proto/parigot/file/v1/
 * file.proto, so the example builds without code generation.
 */
#include <string.h>

#include "parigot_test.h"
#include "parigot_wire.h"

#define FILE_SERVICE "parigot.file.v1.File"
/* Method numbers: declaration order in file.proto. */
enum { READ = 1, WRITE = 2, STAT = 3, LIST = 4, DELETE = 5, MKDIR = 6 };
/* file.proto's Mode and Kind. */
enum { MODE_TRUNCATE = 2, MODE_APPEND = 3 };
enum { KIND_FILE = 1, KIND_DIRECTORY = 2 };
/* app.toml gives this program disk_mib = 1: sixteen appends of 64 KiB. */
enum { QUOTA_BYTES = 1 << 20, PIECE = 64 << 10 };

static pg_loop *loop;
static int32_t files;
static uint8_t buf[PIECE + 4096];
static char piece[PIECE + 1];

/* Calls a method with the encoded request and waits: the done future. */
static pg_future *call(int32_t method, const pg_writer *w) {
  pg_future *f = pg_call(loop, files, method, (pg_bytes){buf, w->pos}, PARIGOT_TIMEOUT_DEFAULT);
  pg_await(loop, f);
  return f;
}

/* A request whose only field is path (Stat, Delete, List; Read from 0). */
static pg_future *path_call(int32_t method, const char *path) {
  pg_writer w = pg_writer_of(buf, sizeof buf);
  pg_write_tag(&w, 1, PG_WT_LEN);
  pg_write_len(&w, pg_str(path));
  return call(method, &w);
}

/* The status of a call with just a path, freeing its future. */
static int32_t status_of(int32_t method, const char *path) {
  pg_future *f = path_call(method, path);
  int32_t status = pg_future_result(f)->status;
  pg_future_free(f);
  return status;
}

/* Write: returns the call's status, and the file's new size in *size. */
static int32_t write_file(const char *path, int32_t mode, const char *data, int64_t *size) {
  pg_writer w = pg_writer_of(buf, sizeof buf);
  pg_write_tag(&w, 1, PG_WT_LEN);
  pg_write_len(&w, pg_str(path));
  pg_write_tag(&w, 2, PG_WT_VARINT);
  pg_write_varint(&w, (uint64_t)mode);
  pg_write_tag(&w, 3, PG_WT_LEN);
  pg_write_len(&w, pg_str(data));
  pg_future *f = call(WRITE, &w);
  const pg_result *r = pg_future_result(f);
  int32_t status = r->status;
  *size = -1;
  pg_reader in = pg_reader_of(r->data.data, r->data.len);
  while (status == 0 && !pg_reader_done(&in)) {
    uint32_t field, wt;
    uint64_t v;
    if (pg_read_tag(&in, &field, &wt) != PG_OK) {
      break;
    }
    if (field == 1 && pg_read_varint_field(&in, wt, &v) == PG_OK) {
      *size = (int64_t)v;
    } else if (pg_skip(&in, wt) != PG_OK) {
      break;
    }
  }
  pg_future_free(f);
  return status;
}

/*
 * Read: the whole file, from the Chunk partials kept on the future, into
 * out (NUL-terminated). Returns the call's status.
 */
static int32_t read_file(const char *path, char *out, uint32_t cap) {
  pg_future *f = path_call(READ, path);
  int32_t status = pg_future_result(f)->status;
  uint32_t len = 0;
  for (uint32_t i = 0; status == 0 && i < pg_future_partial_count(f); i++) {
    pg_bytes chunk = pg_future_partial(f, i);
    pg_reader in = pg_reader_of(chunk.data, chunk.len);
    while (!pg_reader_done(&in)) {
      uint32_t field, wt;
      pg_bytes data;
      if (pg_read_tag(&in, &field, &wt) != PG_OK) {
        break;
      }
      if (field == 2 && pg_read_len_field(&in, wt, &data) == PG_OK) {
        uint32_t n = data.len < cap - 1 - len ? data.len : cap - 1 - len;
        memcpy(out + len, data.data, n);
        len += n;
      } else if (pg_skip(&in, wt) != PG_OK) {
        break;
      }
    }
  }
  out[len] = '\0';
  pg_future_free(f);
  return status;
}

/* One Entry: its name (into name) and kind. */
static void entry(pg_bytes e, char *name, uint32_t cap, int32_t *kind, int64_t *size) {
  pg_reader in = pg_reader_of(e.data, e.len);
  name[0] = '\0';
  while (!pg_reader_done(&in)) {
    uint32_t field, wt;
    pg_bytes text;
    uint64_t v;
    if (pg_read_tag(&in, &field, &wt) != PG_OK) {
      return;
    }
    if (field == 1 && pg_read_string_field(&in, wt, &text) == PG_OK) {
      uint32_t n = text.len < cap - 1 ? text.len : cap - 1;
      memcpy(name, text.data, n);
      name[n] = '\0';
    } else if (field == 2 && pg_read_varint_field(&in, wt, &v) == PG_OK) {
      *kind = (int32_t)v;
    } else if (field == 3 && pg_read_varint_field(&in, wt, &v) == PG_OK) {
      *size = (int64_t)v;
    } else if (pg_skip(&in, wt) != PG_OK) {
      return;
    }
  }
}

/* List: the names in the directory, ", "-separated, in the service's order. */
static int32_t list(const char *path, char *out, uint32_t cap) {
  pg_future *f = path_call(LIST, path);
  int32_t status = pg_future_result(f)->status;
  out[0] = '\0';
  for (uint32_t i = 0; status == 0 && i < pg_future_partial_count(f); i++) {
    pg_bytes page = pg_future_partial(f, i);
    pg_reader in = pg_reader_of(page.data, page.len);
    while (!pg_reader_done(&in)) {
      uint32_t field, wt;
      pg_bytes e;
      if (pg_read_tag(&in, &field, &wt) != PG_OK) {
        break;
      }
      if (field == 1 && pg_read_len_field(&in, wt, &e) == PG_OK) {
        char name[256];
        int32_t kind = 0;
        int64_t size = 0;
        entry(e, name, sizeof name, &kind, &size);
        if (out[0] != '\0') {
          strncat(out, ", ", cap - strlen(out) - 1);
        }
        strncat(out, name, cap - strlen(out) - 1);
        if (kind == KIND_DIRECTORY) {
          strncat(out, "/", cap - strlen(out) - 1);
        }
      } else if (pg_skip(&in, wt) != PG_OK) {
        break;
      }
    }
  }
  pg_future_free(f);
  return status;
}

int main(void) {
  loop = pg_loop_default();
  int32_t rc = pg_locate(FILE_SERVICE, &files);

  PG_TEST_CASE("the file service is granted") {
    pg_expect_eq_i64(rc, 0);
  }
  if (rc != 0) {
    return pg_test_exit_code();
  }

  PG_TEST_CASE("a written file reads back") {
    int64_t size;
    pg_expect_eq_i64(write_file("greeting.txt", MODE_TRUNCATE, "hello, files", &size), 0);
    pg_expect_eq_i64(size, 12);
    char text[64];
    pg_expect_eq_i64(read_file("greeting.txt", text, sizeof text), 0);
    pg_expect_eq_str(text, "hello, files");
  }

  PG_TEST_CASE("append adds to the end") {
    int64_t size;
    pg_expect_eq_i64(write_file("greeting.txt", MODE_APPEND, " again", &size), 0);
    pg_expect_eq_i64(size, 18);
    char text[64];
    read_file("greeting.txt", text, sizeof text);
    pg_expect_eq_str(text, "hello, files again");
  }

  PG_TEST_CASE("list shows files and directories in name order") {
    pg_future *made = path_call(MKDIR, "notes");
    pg_expect_eq_i64(pg_future_result(made)->status, 0);
    pg_future_free(made);
    int64_t size;
    pg_expect_eq_i64(write_file("notes/a.txt", MODE_TRUNCATE, "a", &size), 0);
    char names[512];
    pg_expect_eq_i64(list("", names, sizeof names), 0);
    pg_expect_eq_str(names, "greeting.txt, notes/");
    pg_expect_eq_i64(list("notes", names, sizeof names), 0);
    pg_expect_eq_str(names, "a.txt");
  }

  PG_TEST_CASE("stat describes a file") {
    pg_future *f = path_call(STAT, "greeting.txt");
    const pg_result *r = pg_future_result(f);
    pg_expect_eq_i64(r->status, 0);
    /* StatResponse { Entry entry = 1; } */
    pg_reader in = pg_reader_of(r->data.data, r->data.len);
    uint32_t field = 0, wt = 0;
    pg_bytes e = {0};
    if (pg_expect_true(pg_read_tag(&in, &field, &wt) == PG_OK && field == 1 &&
                       pg_read_len_field(&in, wt, &e) == PG_OK)) {
      char name[64];
      int32_t kind = 0;
      int64_t size = 0;
      entry(e, name, sizeof name, &kind, &size);
      pg_expect_eq_str(name, "greeting.txt");
      pg_expect_eq_i64(kind, KIND_FILE);
      pg_expect_eq_i64(size, 18);
    }
    pg_future_free(f);
  }

  PG_TEST_CASE("paths that leave the sandbox are refused") {
    pg_expect_eq_i64(status_of(READ, "../../../app.toml"), PG_STATUS_PERMISSION_DENIED);
    pg_expect_eq_i64(status_of(READ, "/etc/passwd"), PG_STATUS_PERMISSION_DENIED);
    pg_expect_eq_i64(status_of(LIST, "notes/../.."), PG_STATUS_PERMISSION_DENIED);
    int64_t size;
    pg_expect_eq_i64(write_file("../escaped.txt", MODE_TRUNCATE, "x", &size), PG_STATUS_PERMISSION_DENIED);
  }

  PG_TEST_CASE("deleted files are gone") {
    pg_expect_eq_i64(status_of(DELETE, "notes/a.txt"), 0);
    pg_expect_eq_i64(status_of(DELETE, "notes"), 0);
    pg_expect_eq_i64(status_of(DELETE, "greeting.txt"), 0);
    pg_expect_eq_i64(status_of(STAT, "greeting.txt"), PG_STATUS_NOT_FOUND);
  }

  PG_TEST_CASE("writes stop at the program's disk quota and a delete frees it") {
    memset(piece, 'x', PIECE);
    int64_t size = 0;
    int32_t status = 0;
    int appended = 0;
    /* Bounded: four times the quota, were it not enforced. */
    while (appended < 4 * QUOTA_BYTES / PIECE) {
      status = write_file("fill.bin", MODE_APPEND, piece, &size);
      if (status != 0) {
        break;
      }
      appended++;
    }
    pg_expect_eq_i64(status, PG_STATUS_RESOURCE_EXHAUSTED);
    pg_expect_eq_i64(appended, QUOTA_BYTES / PIECE);
    pg_expect_eq_i64(status_of(DELETE, "fill.bin"), 0);
    pg_expect_eq_i64(write_file("fill.bin", MODE_APPEND, piece, &size), 0);
    pg_expect_eq_i64(status_of(DELETE, "fill.bin"), 0);
  }

  return pg_test_exit_code();
}
