/*
 * lvsd_text: a config file's bytes and its text in one read, sharing one copy. A SIGHUP reads
 * the changed file and the parser needs it as a JS string: Node's latin1 decode copies the bytes
 * again, into fresh memory (under emulation ~9 ms of copy and page faults for 1 MB, more than
 * the read). Here the bytes are read into memory of our own, and both the Buffer and (when every
 * byte is ASCII) the string are external views of it: no second copy. The memory is freed when
 * both are collected; a large block is kept as the spare for the next read instead, so a read
 * writes into pages that are already mapped (a fresh 1 MB is ~250 page faults, ~3 ms there).
 * The bytes must never be written: the string shows them.
 */
#define _GNU_SOURCE
#define NAPI_EXPERIMENTAL
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../src/net/native/napi-errno.h"

typedef struct {
  atomic_int refs; /* the Buffer and the string that show it */
  size_t cap;
  char data[];
} region_t;

/* blocks at least this big are worth keeping as the spare */
#define SPARE_MIN (64 * 1024)
/* a file is read in at most this many rounds (one that keeps growing while read ends the read) */
#define MAX_ROUNDS 64
/* no config is this big: a read that gets here (a device, a file that keeps growing) fails */
#define MAX_FILE ((size_t)1 << 28)

static _Atomic(region_t *) spare = NULL;

/* (room for a file that grows a little: the next read still fits) */
static size_t cap_for(size_t want) { return want + want / 8 + 4096; }

static region_t *region_new(size_t want) {
  region_t *r = atomic_exchange(&spare, NULL);
  if (r != NULL && r->cap >= want) return r;
  free(r);
  size_t cap = cap_for(want);
  r = malloc(sizeof(region_t) + cap);
  if (r != NULL) r->cap = cap;
  return r;
}

static void region_release(region_t *r) {
  if (atomic_fetch_sub(&r->refs, 1) != 1) return;
  region_t *none = NULL;
  if (r->cap >= SPARE_MIN && atomic_compare_exchange_strong(&spare, &none, r)) return;
  free(r);
}

/* (both finalizers only free memory: no JavaScript, no N-API call) */
static void on_buffer_gone(node_api_basic_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  region_release(hint);
}

static void on_text_gone(node_api_basic_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  region_release(hint);
}

static int all_ascii(const char *p, size_t n) {
  unsigned char acc = 0;
  for (size_t i = 0; i < n; i++) acc |= (unsigned char)p[i];
  return acc < 0x80;
}

/* the file's bytes into a region (grown as needed); 0, or an errno */
static int read_whole(int fd, region_t **out, size_t *len) {
  struct stat st;
  if (fstat(fd, &st) < 0) return errno;
  size_t want = (size_t)st.st_size + 1; /* (one byte more: a file still growing shows there) */
  if (want > MAX_FILE) return EFBIG;
  region_t *r = region_new(want);
  if (r == NULL) return ENOMEM;
  size_t at = 0;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    if (at == r->cap) {
      size_t cap = r->cap * 2;
      if (cap > MAX_FILE) {
        free(r);
        return EFBIG;
      }
      region_t *g = realloc(r, sizeof(region_t) + cap);
      if (g == NULL) {
        free(r);
        return ENOMEM;
      }
      r = g;
      r->cap = cap;
    }
    ssize_t k = pread(fd, r->data + at, r->cap - at, (off_t)at);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      int e = errno;
      free(r);
      return e;
    }
    if (k == 0) break;
    at += (size_t)k;
  }
  *out = r;
  *len = at;
  return 0;
}

/*
 * [ArrayBuffer, string | undefined] over region r holding len bytes: both external views of its
 * memory, the string when every byte is ASCII. An ArrayBuffer, not a Buffer: the caller makes its
 * Buffer with Buffer.from(arrayBuffer), the map every Buffer has (node's C++ Buffer gets its
 * prototype set, a map of its own: optimised code met it as a new map, and deoptimised when it
 * died).
 */
static napi_value views_of(napi_env env, region_t *r, size_t len) {
  atomic_init(&r->refs, 1);
  napi_value ab, text, out;
  if (napi_create_external_arraybuffer(env, r->data, len, on_buffer_gone, r, &ab) != napi_ok) {
    free(r);
    return throw_errno(env, "external array buffer", ENOMEM);
  }
  napi_get_undefined(env, &text);
  if (all_ascii(r->data, len)) {
    bool copied = false;
    atomic_fetch_add(&r->refs, 1);
    /* (a copy, when Node makes one, has already run on_text_gone) */
    if (node_api_create_external_string_latin1(env, r->data, len, on_text_gone, r, &text, &copied) != napi_ok) {
      region_release(r);
      napi_get_undefined(env, &text);
    }
  }
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, ab);
  napi_set_element(env, out, 1, text);
  return out;
}

/*
 * read(path) -> [ArrayBuffer, string | undefined]: the file's bytes, and the same bytes as latin1
 * text when all are ASCII (else undefined: the caller decodes UTF-8). Throws an Error with errno
 * and code as fs does (ENOENT, EISDIR...).
 */
static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[4096];
  size_t path_len = 0;
  if (get_args(env, info, 1, argv) != 0 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_len) != napi_ok ||
      path_len == 0 || path_len >= sizeof path - 1)
    return throw_usage(env, "read(path): path must be a non-empty string shorter than 4095 bytes");
  int fd;
  do fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return throw_errno(env, "open", errno);
  region_t *r = NULL;
  size_t len = 0;
  int err = read_whole(fd, &r, &len);
  close(fd);
  if (err != 0) return throw_errno(env, "read", err);
  return views_of(env, r, len);
}

/*
 * copy(buffer) -> [ArrayBuffer, string | undefined]: the same views as read() of a file holding
 * those bytes (the start-up rehearsal loads made-up bytes: the parse then meets what a SIGHUP's
 * read gives it).
 */
static napi_value js_copy(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *data;
  size_t len;
  if (get_args(env, info, 1, argv) != 0 || buffer_arg(env, argv[0], &data, &len) != 0) return throw_usage(env, "copy(buffer): buffer must be a Buffer");
  region_t *r = region_new(len + 1);
  if (r == NULL) return throw_errno(env, "copy", ENOMEM);
  memcpy(r->data, data, len);
  return views_of(env, r, len);
}

/*
 * prefill(size): a spare for a file of `size` bytes, its pages written now (the caller's quiet
 * time), unless there is one. The read of a changed file on a SIGHUP takes the spare; the memory
 * of the text it replaced is free only once a GC collected that text, often later than the next
 * SIGHUP.
 */
static napi_value js_prefill(napi_env env, napi_callback_info info) {
  int32_t size;
  if (int_args(env, info, 1, &size) != 0 || size < 0) return throw_usage(env, "prefill(size): size must be a number >= 0");
  size_t want = (size_t)size + 1;
  region_t *r = atomic_load(&spare);
  if ((r != NULL && r->cap >= want) || cap_for(want) < SPARE_MIN) return NULL;
  size_t cap = cap_for(want);
  r = malloc(sizeof(region_t) + cap);
  if (r == NULL) return NULL;
  r->cap = cap;
  memset(r->data, 0x20, cap); /* (not 0: malloc + memset 0 may become a calloc that touches nothing) */
  free(atomic_exchange(&spare, r));
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    METHOD("read", js_read),
    METHOD("copy", js_copy),
    METHOD("prefill", js_prefill),
  };
  DEFINE_METHODS(env, exports, props);
  return exports;
}
