/*
 * The N-API helpers both of lvsd's addons share: kernel errors thrown as Error objects that
 * carry errno (number) and code ("EPERM", ...), reading a call's arguments, the close(fd)
 * both export, and the export table. static inline: each addon uses only some of them.
 */
#ifndef LVSD_NAPI_ERRNO_H
#define LVSD_NAPI_ERRNO_H
#include <node_api.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[200];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name ? name : "?");
  napi_value code, text, error, num;
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_set_named_property(env, error, "code", code);
  napi_throw(env, error);
  return NULL;
}

/* a TypeError for a call whose arguments do not fit; NULL, for the caller to return */
static inline napi_value throw_usage(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* 0 and *out set when v is a number that fits an int32, else -1 */
static inline int int_arg(napi_env env, napi_value v, int32_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return -1;
  return napi_get_value_int32(env, v, out) == napi_ok ? 0 : -1;
}

/* the call's first n arguments into argv[0..n); -1 when fewer were given */
static inline int get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= n ? 0 : -1;
}

#define MAX_INT_ARGS 4
/* the call's first n (<= MAX_INT_ARGS) arguments, each a number that fits an int32; else -1 */
static inline int int_args(napi_env env, napi_callback_info info, size_t n, int32_t *out) {
  napi_value argv[MAX_INT_ARGS];
  if (n > MAX_INT_ARGS || get_args(env, info, n, argv) != 0) return -1;
  for (size_t i = 0; i < n; i++)
    if (int_arg(env, argv[i], &out[i]) != 0) return -1;
  return 0;
}

/* a buffer argument's bytes; -1 when v is not a Buffer */
static inline int buffer_arg(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return -1;
  return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

static inline napi_value int_value(napi_env env, int32_t v) {
  napi_value result;
  napi_create_int32(env, v, &result);
  return result;
}

/* what a send call returns: the bytes sent, or the errno thrown (as `what`) */
static inline napi_value sent_or_throw(napi_env env, ssize_t n, const char *what) {
  return n < 0 ? throw_errno(env, what, errno) : int_value(env, (int32_t)n);
}

/* close(fd) of a socket an addon opened. EINTR is not an error: Linux has released the fd. */
static inline napi_value js_close(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (int_args(env, info, 1, &fd) != 0 || fd < 0) return throw_usage(env, "close(fd): fd must be a socket from open()");
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return NULL;
}

/* one exported function of an addon */
#define METHOD(name, fn) { name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL }
#define DEFINE_METHODS(env, exports, props) napi_define_properties(env, exports, sizeof props / sizeof props[0], props)

#endif
