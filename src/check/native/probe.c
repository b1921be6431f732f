/*
 * lvsd_probe: TCP_CHECK's connect engine. Why native: under emulation (the TCG VM) a check
 * through Node's own TCP handle costs more in Node than the connect costs in the kernel: a
 * TCPWrap and a TCPConnectWrap object per attempt, a MakeCallback per completion, a handle
 * close with its own callback and weak-reference bookkeeping, about 0.4 ms per check, while
 * keepalived's whole check is the six system calls. Here a check is those system calls and
 * nothing else: socket, (bind), connect, epoll_ctl(ADD) on ONE epoll fd of the engine, and on
 * readiness getsockopt(SO_ERROR) and close. The engine's epoll fd is watched by one uv_poll on
 * Node's loop; JavaScript is called ONCE per readiness batch with the number of results, which
 * it reads as (slot, status) pairs from a shared Int32Array. Timeouts stay in JavaScript (the
 * deadline queues): a timed-out attempt is cancelled by slot (its fd closed here).
 *
 * HTTP_GET's plain exchange runs on the same engine: after the connect, the request is
 * written here and the response read into one data buffer per batch; JavaScript gets each
 * chunk as (offset, length) in that buffer and streams it into the digest before the next
 * batch reuses the buffer (a chunk is at most MAX_READ bytes, a batch's data at most
 * DATA_BYTES: the rest stays readable in the kernel until the next batch).
 *
 * Slots are small integers JavaScript hands out and reuses; an epoll event carries its slot
 * and the slot's generation, so an event of a cancelled attempt can never reach a newer one.
 * Results are records of four int32: slot, kind (R_* below), a, b.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../net/native/napi-errno.h"

/* slots above this are refused: a bound on memory, far above any configuration's checks */
#define MAX_SLOTS (1u << 22)
/* response bytes one batch may carry, and one read at most */
#define DATA_BYTES (256u * 1024)
#define MAX_READ (64u * 1024)
/* below this much room a batch takes no more reads */
#define MIN_READ 4096u
/* a request's size limit (a bound; requests are a few hundred bytes) */
#define MAX_REQUEST (64u * 1024 * 1024)

/* result kinds; the same numbers are in connect-engine.ts */
enum {
  R_DONE = 0,      /* connect-only attempt ended: a = 0 or -errno */
  R_FAIL = 1,      /* exchange failed: a = -errno, b = phase (P_*) */
  R_CONNECTED = 2, /* exchange connected, the request waits for room in the socket */
  R_SENT = 3,      /* exchange's request written */
  R_DATA = 4,      /* response bytes: a = offset in the data buffer, b = length */
  R_EOF = 5,       /* the response ended (the peer closed) */
};
enum { P_CONNECT = 0, P_SEND = 1, P_READ = 2 };
enum { ST_CONNECTING = 0, ST_SENDING = 1, ST_READING = 2 };

typedef struct {
  int fd;         /* -1: no attempt in flight */
  uint32_t gen;   /* bumped per attempt */
  uint8_t exchange; /* 0: connect only (TCP_CHECK); 1: write the request, read the response */
  uint8_t state;
  uint32_t req_len, req_off, req_cap;
  char *req;
} slot_t;

typedef struct {
  napi_env env;
  int epfd;
  uv_poll_t poll;
  napi_ref callback;
  napi_ref resource;
  napi_async_context ctx;
  int32_t *results;       /* 4 * cap: slot, kind, a, b */
  uint32_t cap;
  uint8_t *data;          /* DATA_BYTES: response chunks of the batch being reported */
  struct epoll_event *events;
  slot_t *slots;
  uint32_t nslots;
  uint32_t inflight;
  int closed, poll_closed, finalized;
} engine_t;

static void engine_free(engine_t *e) {
  for (uint32_t i = 0; i < e->nslots; i++) free(e->slots[i].req);
  free(e->events);
  free(e->slots);
  free(e);
}

static void on_poll_closed(uv_handle_t *h) {
  engine_t *e = h->data;
  e->poll_closed = 1;
  if (e->finalized) engine_free(e);
}

static void engine_cleanup_hook(void *arg);

/* stops watching, closes every socket in flight and the epoll fd; idempotent */
static void engine_close(engine_t *e, int from_hook) {
  if (e->closed) return;
  e->closed = 1;
  if (!from_hook) napi_remove_env_cleanup_hook(e->env, engine_cleanup_hook, e);
  for (uint32_t i = 0; i < e->nslots; i++)
    if (e->slots[i].fd >= 0) {
      close(e->slots[i].fd);
      e->slots[i].fd = -1;
    }
  e->inflight = 0;
  uv_poll_stop(&e->poll);
  uv_close((uv_handle_t *)&e->poll, on_poll_closed);
  close(e->epfd);
  e->epfd = -1;
  napi_delete_reference(e->env, e->callback);
  e->callback = NULL;
  if (e->ctx != NULL) napi_async_destroy(e->env, e->ctx);
  e->ctx = NULL;
  napi_delete_reference(e->env, e->resource);
  e->resource = NULL;
}

static void engine_cleanup_hook(void *arg) { engine_close(arg, 1); }

static void engine_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  engine_t *e = data;
  engine_close(e, 0);
  e->finalized = 1;
  if (e->poll_closed) engine_free(e);
}

static void attempt_ended(engine_t *e) {
  if (e->inflight > 0 && --e->inflight == 0) uv_unref((uv_handle_t *)&e->poll);
}

static void put(engine_t *e, uint32_t *k, uint32_t s, int32_t kind, int32_t a, int32_t b) {
  int32_t *r = e->results + 4 * *k;
  r[0] = (int32_t)s;
  r[1] = kind;
  r[2] = a;
  r[3] = b;
  (*k)++;
}

/* the attempt in slot s is over: its socket closed */
static void end_slot(engine_t *e, slot_t *s) {
  close(s->fd);
  s->fd = -1;
  attempt_ended(e);
}

/* writes what is left of the request; the result it reports (none while it waits for room) */
static void send_request(engine_t *e, uint32_t i, uint32_t *k, int just_connected) {
  slot_t *s = &e->slots[i];
  ssize_t n = send(s->fd, s->req + s->req_off, s->req_len - s->req_off, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0 && errno != EAGAIN && errno != EINTR) {
    int err = errno;
    end_slot(e, s);
    put(e, k, i, R_FAIL, -err, P_SEND);
    return;
  }
  if (n > 0) s->req_off += (uint32_t)n;
  if (s->req_off < s->req_len) {
    if (just_connected) put(e, k, i, R_CONNECTED, 0, 0);
    return; /* EPOLLOUT again when there is room */
  }
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)s->gen << 32) | i };
  if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0) {
    int err = errno;
    end_slot(e, s);
    put(e, k, i, R_FAIL, -err, P_READ);
    return;
  }
  s->state = ST_READING;
  if (s->req_cap > MAX_READ) {
    /* an outsized request (tests) is not kept for the slot's next attempt */
    free(s->req);
    s->req = NULL;
    s->req_cap = 0;
  }
  put(e, k, i, R_SENT, 0, 0);
}

/*
 * reads what the socket has into the batch's data buffer; a short read is followed by one
 * more, which finds the peer's close when it came with the data (no wakeup just for it)
 */
static void read_response(engine_t *e, uint32_t i, uint32_t *k, uint32_t *used) {
  slot_t *s = &e->slots[i];
  for (int tries = 0; tries < 8; tries++) {
    uint32_t room = DATA_BYTES - *used;
    if (room < MIN_READ || *k + 2 > e->cap) return; /* still readable: the next batch */
    if (room > MAX_READ) room = MAX_READ;
    ssize_t n = read(s->fd, e->data + *used, room);
    if (n > 0) {
      put(e, k, i, R_DATA, (int32_t)*used, (int32_t)n);
      *used += (uint32_t)n;
      continue;
    }
    if (n == 0) {
      end_slot(e, s);
      put(e, k, i, R_EOF, 0, 0);
      return;
    }
    if (errno == EAGAIN || errno == EINTR) return;
    int err = errno;
    end_slot(e, s);
    put(e, k, i, R_FAIL, -err, P_READ);
    return;
  }
}

/* the epoll fd is readable: collect every finished step, then one call into JavaScript */
static void on_ready(uv_poll_t *h, int status, int events) {
  (void)events;
  engine_t *e = h->data;
  if (e->closed || status < 0) return;
  /* an event may bring up to 3 results (data, data, end): room for all of them */
  int n = epoll_wait(e->epfd, e->events, (int)(e->cap / 3), 0);
  if (n <= 0) return;
  uint32_t k = 0, used = 0;
  for (int j = 0; j < n && k + 3 <= e->cap; j++) {
    uint64_t d = e->events[j].data.u64;
    uint32_t i = (uint32_t)d, gen = (uint32_t)(d >> 32);
    if (i >= e->nslots || e->slots[i].fd < 0 || e->slots[i].gen != gen) continue;
    slot_t *s = &e->slots[i];
    if (s->state == ST_READING) {
      read_response(e, i, &k, &used);
      continue;
    }
    if (s->state == ST_SENDING) {
      send_request(e, i, &k, 0);
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == EINPROGRESS) continue; /* spurious: still connecting */
    if (err != 0 || !s->exchange) {
      end_slot(e, s);
      put(e, &k, i, s->exchange ? R_FAIL : R_DONE, -err, P_CONNECT);
      continue;
    }
    s->state = ST_SENDING;
    send_request(e, i, &k, 1);
  }
  if (k == 0 || e->callback == NULL) return;
  napi_env env = e->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[1];
  napi_get_reference_value(env, e->callback, &fn);
  napi_get_reference_value(env, e->resource, &recv);
  napi_create_uint32(env, k, &argv[0]);
  /* make_callback: the JavaScript runs as any I/O callback (microtasks and nextTicks after it) */
  if (napi_make_callback(env, e->ctx, recv, fn, 1, argv, NULL) == napi_pending_exception) {
    napi_value ex;
    if (napi_get_and_clear_last_exception(env, &ex) == napi_ok) napi_fatal_exception(env, ex);
  }
  napi_close_handle_scope(env, scope);
}

static engine_t *engine_of(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < n) return NULL;
  return data;
}

static int grow_slots(engine_t *e, uint32_t need) {
  if (need <= e->nslots) return 0;
  if (need > MAX_SLOTS) return -1;
  uint32_t n = e->nslots ? e->nslots : 64;
  while (n < need) n *= 2;
  slot_t *s = realloc(e->slots, n * sizeof *s);
  if (s == NULL) return -1;
  memset(s + e->nslots, 0, (n - e->nslots) * sizeof *s);
  for (uint32_t i = e->nslots; i < n; i++) s[i].fd = -1;
  e->slots = s;
  e->nslots = n;
  return 0;
}

static int sockaddr_arg(napi_env env, napi_value v, struct sockaddr **sa, socklen_t *len) {
  void *data;
  size_t n;
  if (buffer_arg(env, v, &data, &n) != 0) return -1;
  if (n == sizeof(struct sockaddr_in) && ((struct sockaddr *)data)->sa_family == AF_INET) {
  } else if (n == sizeof(struct sockaddr_in6) && ((struct sockaddr *)data)->sa_family == AF_INET6) {
  } else
    return -1;
  *sa = data;
  *len = (socklen_t)n;
  return 0;
}

/*
 * connect(slot, sockaddr, bindSockaddr | null, mark[, request]) -> 0 (in flight: results come
 * in batches), 1 (connect only: connected at once, closed) or -errno (failed at once). The
 * sockaddrs come from sockaddr() below; mark 0: no SO_MARK. With a request (a Buffer) the
 * attempt is an exchange: the request is written once connected and the response read.
 */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  size_t argc = 5;
  void *data = NULL;
  int32_t slot;
  uint32_t mark;
  struct sockaddr *sa, *bsa = NULL;
  socklen_t salen, bsalen = 0;
  napi_valuetype bt, rt;
  void *req = NULL;
  size_t req_len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < 4 || data == NULL)
    return throw_usage(env, "connect(slot, sockaddr, bindSockaddr|null, mark[, request])");
  engine_t *e = data;
  if (int_arg(env, argv[0], &slot) != 0 || slot < 0 || sockaddr_arg(env, argv[1], &sa, &salen) != 0 ||
      napi_typeof(env, argv[2], &bt) != napi_ok || napi_get_value_uint32(env, argv[3], &mark) != napi_ok ||
      napi_typeof(env, argv[4], &rt) != napi_ok)
    return throw_usage(env, "connect(slot, sockaddr, bindSockaddr|null, mark[, request])");
  if (bt != napi_null && bt != napi_undefined && (sockaddr_arg(env, argv[2], &bsa, &bsalen) != 0 || bsa->sa_family != sa->sa_family))
    return throw_usage(env, "connect: the bind address must be a sockaddr of the same family");
  int exchange = rt != napi_null && rt != napi_undefined;
  if (exchange && (buffer_arg(env, argv[4], &req, &req_len) != 0 || req_len == 0 || req_len > MAX_REQUEST))
    return throw_usage(env, "connect: the request must be a Buffer of 1 byte to 64 MiB");
  if (e->closed) return throw_usage(env, "connect: the engine is closed");
  if (grow_slots(e, (uint32_t)slot + 1) != 0) return throw_errno(env, "connect: slot table", ENOMEM);
  slot_t *s = &e->slots[slot];
  if (s->fd >= 0) return throw_usage(env, "connect: slot already in flight");
  if (exchange && s->req_cap < req_len) {
    char *r = realloc(s->req, req_len);
    if (r == NULL) return throw_errno(env, "connect: request", ENOMEM);
    s->req = r;
    s->req_cap = (uint32_t)req_len;
  }
  int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return int_value(env, -errno);
  int one = 1, err = 0;
  if (mark != 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) err = errno;
  /* SO_REUSEADDR as libuv's bind sets it: a fixed bind_port is reusable while in TIME_WAIT */
  if (!err && bsa != NULL && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || bind(fd, bsa, bsalen) < 0)) err = errno;
  if (!err) {
    if (connect(fd, sa, salen) == 0) {
      if (!exchange) {
        /* connected within the call: done, no wait */
        close(fd);
        return int_value(env, 1);
      }
      /* an exchange writes when epoll says there is room, which is at once */
    } else if (errno != EINPROGRESS)
      err = errno;
  }
  if (err) {
    close(fd);
    return int_value(env, -err);
  }
  s->gen++;
  struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = ((uint64_t)s->gen << 32) | (uint32_t)slot };
  if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    err = errno;
    close(fd);
    return int_value(env, -err);
  }
  s->fd = fd;
  s->exchange = (uint8_t)exchange;
  s->state = ST_CONNECTING;
  s->req_off = 0;
  s->req_len = (uint32_t)req_len;
  if (exchange) memcpy(s->req, req, req_len);
  if (e->inflight++ == 0) uv_ref((uv_handle_t *)&e->poll);
  return int_value(env, 0);
}

/* cancel(slot): the attempt in flight there ends unreported (its socket closed) */
static napi_value js_cancel(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  engine_t *e = engine_of(env, info, 1, argv);
  int32_t slot;
  if (e == NULL || int_arg(env, argv[0], &slot) != 0 || slot < 0) return throw_usage(env, "cancel(slot)");
  if ((uint32_t)slot < e->nslots && e->slots[slot].fd >= 0) {
    close(e->slots[slot].fd); /* closing removes it from the epoll set */
    e->slots[slot].fd = -1;
    attempt_ended(e);
  }
  return NULL;
}

/* inFlight() -> attempts waiting (tests) */
static napi_value js_in_flight(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  return e == NULL ? throw_usage(env, "inFlight()") : int_value(env, (int32_t)e->inflight);
}

/* close(): every attempt in flight ends unreported; the engine takes no more */
static napi_value js_engine_close(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  if (e == NULL) return throw_usage(env, "close()");
  engine_close(e, 0);
  return NULL;
}

/*
 * create(onBatch(count), capacity) -> { results: Int32Array(4 * capacity), data: Buffer,
 * connect, cancel, inFlight, close }; capacity: results per batch (at least 3)
 */
static napi_value js_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t cap;
  napi_valuetype t;
  if (get_args(env, info, 2, argv) != 0 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function ||
      int_arg(env, argv[1], &cap) != 0 || cap < 3 || cap > 65536)
    return throw_usage(env, "create(onBatch, capacity 3..65536)");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_usage(env, "create: no event loop");
  engine_t *e = calloc(1, sizeof *e);
  if (e == NULL) return throw_errno(env, "create", ENOMEM);
  e->env = env;
  e->cap = (uint32_t)cap;
  e->events = calloc((size_t)cap / 3, sizeof *e->events);
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (e->events == NULL || e->epfd < 0) {
    int err = e->epfd < 0 ? errno : ENOMEM;
    if (e->epfd >= 0) close(e->epfd);
    engine_free(e);
    return throw_errno(env, "epoll_create1", err);
  }
  int r = uv_poll_init(loop, &e->poll, e->epfd);
  if (r == 0) r = uv_poll_start(&e->poll, UV_READABLE, on_ready);
  if (r != 0) {
    close(e->epfd);
    engine_free(e);
    return throw_errno(env, "uv_poll", -r);
  }
  e->poll.data = e;
  uv_unref((uv_handle_t *)&e->poll); /* the loop is kept alive only while attempts wait */

  napi_value obj, ab, results, databuf, name;
  void *mem, *dmem;
  napi_create_object(env, &obj);
  napi_create_arraybuffer(env, (size_t)cap * 4 * sizeof(int32_t), &mem, &ab);
  e->results = mem;
  napi_create_typedarray(env, napi_int32_array, (size_t)cap * 4, ab, 0, &results);
  napi_create_buffer(env, DATA_BYTES, &dmem, &databuf);
  e->data = dmem;
  napi_property_descriptor props[] = {
    { "results", NULL, NULL, NULL, NULL, results, napi_enumerable, NULL },
    { "data", NULL, NULL, NULL, NULL, databuf, napi_enumerable, NULL },
    { "connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, e },
    { "cancel", NULL, js_cancel, NULL, NULL, NULL, napi_enumerable, e },
    { "inFlight", NULL, js_in_flight, NULL, NULL, NULL, napi_enumerable, e },
    { "close", NULL, js_engine_close, NULL, NULL, NULL, napi_enumerable, e },
  };
  napi_define_properties(env, obj, sizeof props / sizeof props[0], props);
  napi_create_reference(env, argv[0], 1, &e->callback);
  napi_create_reference(env, obj, 0, &e->resource);
  napi_create_string_utf8(env, "lvsd.connect", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, obj, name, &e->ctx);
  napi_wrap(env, obj, e, engine_finalize, NULL, NULL);
  napi_add_env_cleanup_hook(env, engine_cleanup_hook, e);
  return obj;
}

/*
 * sockaddr(address, port) -> Buffer holding a struct sockaddr_in or sockaddr_in6 for
 * connect(); an IPv6 address may carry %scope (an interface name or number). Throws a
 * TypeError for anything else (no name resolution here).
 */
static napi_value js_sockaddr(napi_env env, napi_callback_info info) {
  napi_value argv[2], buf;
  char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t len;
  int32_t port;
  void *out;
  if (get_args(env, info, 2, argv) != 0 || napi_get_value_string_utf8(env, argv[0], addr, sizeof addr, &len) != napi_ok ||
      len >= sizeof addr - 1 || int_arg(env, argv[1], &port) != 0 || port < 0 || port > 65535)
    return throw_usage(env, "sockaddr(address, port 0..65535)");
  struct sockaddr_in v4;
  memset(&v4, 0, sizeof v4);
  if (inet_pton(AF_INET, addr, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons((uint16_t)port);
    napi_create_buffer_copy(env, sizeof v4, &v4, &out, &buf);
    return buf;
  }
  struct sockaddr_in6 v6;
  memset(&v6, 0, sizeof v6);
  char *pct = strchr(addr, '%');
  if (pct != NULL) {
    *pct = '\0';
    const char *scope = pct + 1;
    char *end;
    unsigned long id = strtoul(scope, &end, 10);
    if (*scope == '\0') return throw_usage(env, "sockaddr: empty IPv6 scope");
    if (*end != '\0') id = if_nametoindex(scope);
    if (id == 0) return throw_usage(env, "sockaddr: unknown IPv6 scope interface");
    v6.sin6_scope_id = (uint32_t)id;
  }
  if (inet_pton(AF_INET6, addr, &v6.sin6_addr) != 1) return throw_usage(env, "sockaddr: not an IPv4 or IPv6 address");
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons((uint16_t)port);
  napi_create_buffer_copy(env, sizeof v6, &v6, &out, &buf);
  return buf;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    METHOD("create", js_create),
    METHOD("sockaddr", js_sockaddr),
  };
  DEFINE_METHODS(env, exports, props);
  return exports;
}
