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

/* open() -> fd of an unbound, unconnected AF_UNIX datagram socket */
static napi_value js_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_UNIX, SOCK_DGRAM)", errno);
  return int_value(env, fd);
}

/* send(fd, path, buffer) -> bytes sent */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t path_len = 0;
  void *data;
  size_t len;
  if (get_args(env, info, 3, argv) != 0 || int_arg(env, argv[0], &fd) != 0 || fd < 0)
    return throw_usage(env, "send(fd, path, buffer): fd must be a socket from open()");
  /* a path of sizeof(sun_path) or more does not fit: napi truncates, so detect it by length */
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &path_len) != napi_ok || path_len == 0 ||
      path_len >= sizeof path - 1)
    return throw_usage(env, "send(fd, path, buffer): path must be a non-empty string shorter than 107 bytes");
  if (buffer_arg(env, argv[2], &data, &len) != 0) return throw_usage(env, "send(fd, path, buffer): buffer must be a Buffer");
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path, path, path_len);
  ssize_t n;
  do {
    n = sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&sun, sizeof sun);
  } while (n < 0 && errno == EINTR);
  return sent_or_throw(env, n, "sendto(AF_UNIX)");
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    METHOD("open", js_open),
    METHOD("send", js_send),
    METHOD("close", js_close),
  };
  DEFINE_METHODS(env, exports, props);
  return exports;
}
