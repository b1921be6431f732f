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

/* open(ifindex) -> fd */
static napi_value js_open(napi_env env, napi_callback_info info) {
  int32_t ifindex;
  if (int_args(env, info, 1, &ifindex) != 0 || ifindex <= 0) return throw_usage(env, "open(ifindex): ifindex must be a positive integer");
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = 0;
  sll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) return close_and_throw(env, fd, "bind(AF_PACKET)");
  return int_value(env, fd);
}

/* send(fd, frame) -> bytes sent */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *data;
  size_t len;
  if (get_args(env, info, 2, argv) != 0 || int_arg(env, argv[0], &fd) != 0 || buffer_arg(env, argv[1], &data, &len) != 0)
    return throw_usage(env, "send(fd, frame): expected a number and a Buffer");
  if (len < ETH_HLEN) {
    napi_throw_range_error(env, NULL, "send: frame shorter than an Ethernet header");
    return NULL;
  }
  return sent_or_throw(env, send(fd, data, len, 0), "send(AF_PACKET)");
}

/* tcpSocket(family 4|6, mark) -> fd of an unconnected, non-blocking TCP socket with SO_MARK */
static napi_value js_tcp_socket(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t family;
  uint32_t mark;
  if (get_args(env, info, 2, argv) != 0 || int_arg(env, argv[0], &family) != 0 || (family != 4 && family != 6) ||
      napi_get_value_uint32(env, argv[1], &mark) != napi_ok)
    return throw_usage(env, "tcpSocket(family, mark): family 4 or 6 and a 32-bit mark");
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, "socket(TCP)", errno);
  if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) return close_and_throw(env, fd, "setsockopt(SO_MARK)");
  return int_value(env, fd);
}

/* getsockopt(fd, level, name) of an int option into *v; 0, or -1 with the errno thrown as `what` */
static int get_int_option(napi_env env, int fd, int level, int name, int *v, const char *what) {
  socklen_t len = sizeof *v;
  *v = 0;
  if (getsockopt(fd, level, name, v, &len) == 0) return 0;
  throw_errno(env, what, errno);
  return -1;
}

/* mark(fd) -> the SO_MARK of a socket (for tests) */
static napi_value js_get_mark(napi_env env, napi_callback_info info) {
  int32_t fd;
  int v;
  napi_value result;
  if (int_args(env, info, 1, &fd) != 0) return throw_usage(env, "mark(fd): fd must be a number");
  if (get_int_option(env, fd, SOL_SOCKET, SO_MARK, &v, "getsockopt(SO_MARK)") != 0) return NULL;
  napi_create_uint32(env, (uint32_t)v, &result);
  return result;
}

/* setIntOption(fd, level, name, value): setsockopt with an int value */
static napi_value js_set_int_option(napi_env env, napi_callback_info info) {
  int32_t a[4]; /* fd, level, name, value */
  if (int_args(env, info, 4, a) != 0) return throw_usage(env, "setIntOption(fd, level, name, value): four numbers");
  int v = a[3];
  if (setsockopt(a[0], a[1], a[2], &v, sizeof v) < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* intOption(fd, level, name) -> getsockopt's int value */
static napi_value js_int_option(napi_env env, napi_callback_info info) {
  int32_t a[3]; /* fd, level, name */
  int v;
  if (int_args(env, info, 3, a) != 0) return throw_usage(env, "intOption(fd, level, name): three numbers");
  return get_int_option(env, a[0], a[1], a[2], &v, "getsockopt") == 0 ? int_value(env, v) : NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    METHOD("open", js_open),
    METHOD("send", js_send),
    METHOD("close", js_close),
    METHOD("tcpSocket", js_tcp_socket),
    METHOD("mark", js_get_mark),
    METHOD("setIntOption", js_set_int_option),
    METHOD("intOption", js_int_option),
  };
  DEFINE_METHODS(env, exports, props);
  return exports;
}
