/*
 * lvsd_syslog: Node has no unix datagram sockets, and syslog's local socket (/dev/log) is
 * one. This opens an AF_UNIX SOCK_DGRAM socket and sends one datagram per log record to a
 * path given on each call, so a restarted syslog daemon (a new /dev/log) needs no reopen.
 * The socket is non-blocking: a full syslog queue makes send() fail with EAGAIN rather than
 * stall the daemon. Errors are thrown as Error objects carrying errno (number) and code.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "../../net/native/napi-errno.h"

/* a descriptor argument: a non-negative int32 */
static int fd_arg(napi_env env, napi_value v, int32_t *out) {
  return int_arg(env, v, out) == 0 && *out >= 0 ? 0 : -1;
}

/* open() -> fd of an unbound, unconnected AF_UNIX datagram socket */
static napi_value js_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_UNIX, SOCK_DGRAM)", errno);
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/* send(fd, path, buffer) -> bytes sent */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t fd;
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t path_len = 0;
  void *data;
  size_t len;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || fd_arg(env, argv[0], &fd) != 0) {
    napi_throw_type_error(env, NULL, "send(fd, path, buffer): fd must be a socket from open()");
    return NULL;
  }
  /* a path of sizeof(sun_path) or more does not fit: napi truncates, so detect it by length */
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &path_len) != napi_ok || path_len == 0 ||
      path_len >= sizeof path - 1) {
    napi_throw_type_error(env, NULL, "send(fd, path, buffer): path must be a non-empty string shorter than 107 bytes");
    return NULL;
  }
  if (napi_is_buffer(env, argv[2], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(fd, path, buffer): buffer must be a Buffer");
    return NULL;
  }
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, path, path_len);
  ssize_t n;
  do {
    n = sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&sun, sizeof sun);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, "sendto(AF_UNIX)", errno);
  napi_create_int32(env, (int32_t)n, &result);
  return result;
}

/* close(fd) */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || fd_arg(env, argv[0], &fd) != 0) {
    napi_throw_type_error(env, NULL, "close(fd): fd must be a socket from open()");
    return NULL;
  }
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, "close", errno);
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
