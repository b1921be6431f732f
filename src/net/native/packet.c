/*
 * lvsd_packet: the smallest socket binding lvsd needs beyond Node: open a raw AF_PACKET
 * socket bound to one interface and send whole Ethernet frames built in TypeScript (gratuitous
 * ARP, unsolicited NA); and make an unconnected TCP socket carrying an SO_MARK (fwmark of
 * checkers and genhash -m), which Node then wraps and connects; and set or read an integer
 * socket option of a socket another module opened (netlink@0.3.0's event socket needs
 * NETLINK_NO_ENOBUFS, which that package cannot set). Nothing is received here.
 * Errors are thrown as Error objects carrying errno (number) and code ("EPERM", ...).
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include "napi-errno.h"

/* close a socket that could not be set up and throw the errno of the failed call */
static napi_value close_and_throw(napi_env env, int fd, const char *what) {
  int err = errno;
  close(fd);
  return throw_errno(env, what, err);
}

static napi_value fd_value(napi_env env, int fd) {
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

/* open(ifindex) -> fd */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t ifindex;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || int_arg(env, argv[0], &ifindex) != 0 || ifindex <= 0) {
    napi_throw_type_error(env, NULL, "open(ifindex): ifindex must be a positive integer");
    return NULL;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = 0;
  sll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) return close_and_throw(env, fd, "bind(AF_PACKET)");
  return fd_value(env, fd);
}

/* send(fd, frame) -> bytes sent */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int32_t fd;
  void *data;
  size_t len;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 2) napi_is_buffer(env, argv[1], &is_buffer);
  if (argc < 2 || int_arg(env, argv[0], &fd) != 0 || !is_buffer) {
    napi_throw_type_error(env, NULL, "send(fd, frame): expected a number and a Buffer");
    return NULL;
  }
  napi_get_buffer_info(env, argv[1], &data, &len);
  if (len < ETH_HLEN) {
    napi_throw_range_error(env, NULL, "send: frame shorter than an Ethernet header");
    return NULL;
  }
  ssize_t n = send(fd, data, len, 0);
  if (n < 0) return throw_errno(env, "send(AF_PACKET)", errno);
  napi_create_int64(env, (int64_t)n, &result);
  return result;
}

/* close(fd) */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || int_arg(env, argv[0], &fd) != 0) {
    napi_throw_type_error(env, NULL, "close(fd): fd must be a number");
    return NULL;
  }
  if (close(fd) < 0) return throw_errno(env, "close", errno);
  return NULL;
}

/* tcpSocket(family 4|6, mark) -> fd of an unconnected, non-blocking TCP socket with SO_MARK */
static napi_value js_tcp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t family;
  uint32_t mark;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || int_arg(env, argv[0], &family) != 0 || (family != 4 && family != 6) ||
      napi_get_value_uint32(env, argv[1], &mark) != napi_ok) {
    napi_throw_type_error(env, NULL, "tcpSocket(family, mark): family 4 or 6 and a 32-bit mark");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, "socket(TCP)", errno);
  if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) return close_and_throw(env, fd, "setsockopt(SO_MARK)");
  return fd_value(env, fd);
}

/* mark(fd) -> the SO_MARK of a socket (for tests) */
static napi_value js_get_mark(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd;
  uint32_t mark = 0;
  socklen_t len = sizeof mark;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || int_arg(env, argv[0], &fd) != 0) {
    napi_throw_type_error(env, NULL, "mark(fd): fd must be a number");
    return NULL;
  }
  if (getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len) < 0) return throw_errno(env, "getsockopt(SO_MARK)", errno);
  napi_create_uint32(env, mark, &result);
  return result;
}

/* setIntOption(fd, level, name, value): setsockopt with an int value */
static napi_value js_set_int_option(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd, level, name, value;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || int_arg(env, argv[0], &fd) != 0 || int_arg(env, argv[1], &level) != 0 || int_arg(env, argv[2], &name) != 0 ||
      int_arg(env, argv[3], &value) != 0) {
    napi_throw_type_error(env, NULL, "setIntOption(fd, level, name, value): four numbers");
    return NULL;
  }
  int v = value;
  if (setsockopt(fd, level, name, &v, sizeof v) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* intOption(fd, level, name) -> getsockopt's int value */
static napi_value js_int_option(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int32_t fd, level, name;
  int v = 0;
  socklen_t len = sizeof v;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || int_arg(env, argv[0], &fd) != 0 || int_arg(env, argv[1], &level) != 0 || int_arg(env, argv[2], &name) != 0) {
    napi_throw_type_error(env, NULL, "intOption(fd, level, name): three numbers");
    return NULL;
  }
  if (getsockopt(fd, level, name, &v, &len) < 0) return throw_errno(env, "getsockopt", errno);
  napi_create_int32(env, v, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL },
    { "send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpSocket", NULL, js_tcp_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mark", NULL, js_get_mark, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setIntOption", NULL, js_set_int_option, NULL, NULL, NULL, napi_enumerable, NULL },
    { "intOption", NULL, js_int_option, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
