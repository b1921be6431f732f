/*
 * lvsd_probe: the connect engine of TCP_CHECK and of HTTP_GET's plain exchange, and their clock.
 *
 * Why native: under emulation (the TCG VM) a check through Node's own TCP handle costs more in
 * Node than the connect costs in the kernel: a TCPWrap and a TCPConnectWrap object per attempt,
 * a MakeCallback per completion, a handle close with its own callback. Here a check is its
 * system calls and nothing else: socket, (bind), connect, epoll_ctl(ADD) on ONE epoll fd of the
 * engine, and on readiness getsockopt(SO_ERROR) and close (HTTP: send, read into a per-batch
 * buffer). The epoll fd is watched by one uv_poll on Node's loop; JavaScript is called ONCE per
 * readiness batch and reads (slot, kind, a, b) records from a shared Int32Array.
 *
 * Why the timing is here too (createTimed, session 6): with the connects native, what was left
 * of a check's cost under TCG was JavaScript around it, per check and per loop turn: a Node
 * timer and a closure per deadline re-arm, the scheduler's timer, an N-API call per connect,
 * the decision objects. keepalived spends 0.3 CPU-s per 60 s of user time at 200 checks/s; lvsd
 * spent ~5. So a TCP_CHECK or plain HTTP_GET registers ONCE (target, bind address, fwmark,
 * connect timeout, request bytes per url) and keeps its slot for life; C keeps the due times (a
 * binary heap), the timeouts (a FIFO per distinct timeout length: attempts of one length expire
 * in the order they started) and ONE uv_timer armed to the earliest of them, a due time rounded
 * up to the quantum (checks due within one quantum start on one wakeup). On the timer it
 * collects what is ready (a completion that arrived wins over a timer that is only late),
 * expires the deadlines that passed, starts every due check up to the in-flight cap
 * (backpressure), collects again (loopback connects complete within connect()), and calls
 * JavaScript once with the batch. JavaScript's counting machines decide (retry, delay_loop,
 * url step) and write each finished attempt's next delay and step into a shared Float64Array;
 * after the call C re-arms those slots from it. In the steady state a check then costs no Node
 * timer, no N-API call and no allocation. The clock is read once per wakeup (uv_hrtime).
 *
 * Why a second connect() (session 7): on loopback (the bench, most real servers in tests) the
 * handshake completes inside connect(): the SYN-ACK waits in the socket's backlog and is handled
 * when the call releases the socket, after EINPROGRESS was decided. A TCP_CHECK asks again at
 * once: 0/EISCONN (connected) or the error (refused) end the attempt at its start, EALREADY
 * leaves it on epoll as before. It saves epoll_ctl(ADD), getsockopt(SO_ERROR), a share of
 * epoll_wait and the epoll bookkeeping of close; the wire is unchanged (same SYN, same FIN).
 * VM TCP 1000, same boot: 18.1 CPU-s/60s against 21.0 for the tree before (keepalived 17.6,
 * which runs 976 of 1,002 checks/s: per check lvsd 0.297 ms, keepalived 0.301). What is left is
 * the kernel's TCP work, charged to whoever runs the softirq (perf: the handshake, slab,
 * IPVS hooks; read_hpet ~7% in both daemons).
 *
 * Why a quiet path (session 8): at TCP 1000 in the VM what lvsd still paid more than keepalived
 * was user time, nearly all JavaScript per record (cpu-prof over 20 s: the batch path 345 ms,
 * GC 258 ms of its garbage) for results that change nothing. An owner that calls its check
 * steady (up and succeeding: the next success would decide delay_loop, no event) has the next
 * connect-only success settled here: counted per slot (count, latency sum and buckets, last
 * time), re-armed at the same delay, its record taken out of the batch; quiet() drains the
 * counts for status and metrics. Any other result (a failure, a timeout, an HTTP exchange) is
 * a record as before, so JavaScript sees every change, retry and transition.
 *
 * HTTP_GET's exchange: after the connect, the request is written here and the response read
 * into one data buffer per batch; JavaScript gets each chunk as (offset, length) in that buffer
 * and streams it into the digest before the next batch reuses the buffer (a chunk is at most
 * MAX_READ bytes, a batch's data at most DATA_BYTES: the rest stays readable in the kernel).
 *
 * create() is the untimed engine (one attempt per connect() call, timeouts kept by the caller:
 * genhash and one-off probes); createTimed() the timed one. Slots are small integers JavaScript
 * hands out and reuses; an epoll event carries its slot and the attempt's generation, so an
 * event of an ended attempt can never reach a newer one.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
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
/* urls of one HTTP_GET at most (a bound) */
#define MAX_URLS 1024
/* start/collect/report rounds one wakeup may run before it leaves the rest to the next turn */
#define MAX_ROUNDS 4
/*
 * the quiet path's latency buckets: their upper bounds (us) come from JavaScript at createTimed
 * (the one list metrics also renders), one more bucket above the last; this many bounds at most
 */
#define MAX_QBOUNDS 32

/* result kinds; the same numbers are in connect-engine.ts */
enum {
  R_DONE = 0,      /* connect-only attempt ended: a = 0 or -errno */
  R_FAIL = 1,      /* exchange failed: a = -errno, b = phase (P_*) */
  R_CONNECTED = 2, /* exchange connected, the request waits for room in the socket (untimed) */
  R_SENT = 3,      /* exchange's request written (untimed) */
  R_DATA = 4,      /* response bytes: a = offset in the data buffer, b = length */
  R_EOF = 5,       /* the response ended (the peer closed) */
  R_TIMEOUT = 6,   /* timed: the attempt's wait ran out, a = what it waited for (T_*) */
};
enum { P_CONNECT = 0, P_SEND = 1, P_READ = 2, P_AT_ONCE = 3 };
enum { T_CONNECT = 0, T_SEND = 1, T_FIRST_READ = 2, T_READ = 3 };
enum { ST_CONNECTING = 0, ST_SENDING = 1, ST_READING = 2 };
/* where a timed slot is */
enum { W_FREE = 0, W_IDLE, W_HEAP, W_HELD, W_FLIGHT, W_WAIT };

typedef struct {
  int fd;         /* -1: no attempt in flight */
  uint32_t gen;   /* bumped per attempt */
  uint8_t exchange; /* 0: connect only (TCP_CHECK); 1: write the request, read the response */
  uint8_t state;
  uint32_t req_len, req_off, req_cap; /* req_cap 0: req points into reqs (timed) */
  char *req;
  /* timed engine only */
  uint8_t where, suspended;
  uint32_t reg;      /* registration number, 0: free */
  uint32_t tseq;     /* bumped per deadline armed: an older deadline entry is stale */
  uint32_t got;      /* response bytes of this attempt */
  uint32_t step, nreq;
  char **reqs;
  uint32_t *req_lens;
  struct sockaddr_storage sa, bsa;
  socklen_t salen, bsalen;
  uint32_t mark;
  int fifo;          /* deadline queue of its timeout length, -1: none (timeout 0 exchange) */
  double timeout_us, skip_us, due, t0;
  double qkey;       /* the heap's first key: the quantum the due time rounds up to (due itself without a quantum) */
  int32_t hpos;
  uint64_t hseq;
  /*
   * the quiet path (session 8): JavaScript said the check is settled (steady: its next success
   * would change nothing but be counted), so a success re-arms at steady_us here, counted in
   * q_* until JavaScript drains them (status, metrics); any other result is a record as before
   */
  uint8_t steady;
  double steady_us;
  double q_n, q_sum, q_at, q_lat;
  uint32_t q_hist[MAX_QBOUNDS + 1];
} slot_t;

typedef struct {
  uint32_t slot, tseq;
  double at;
} dl_t;

typedef struct {
  double timeout_us;
  dl_t *ring;
  uint32_t mask, head, size;
} fifo_t;

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
  /* timed engine */
  int timed, timer_closed, reporting, paused;
  uv_timer_t timer;
  double timer_at;        /* us the timer is armed for, INFINITY: not armed */
  double quantum_us, now;
  uint32_t max_inflight, next_reg;
  double *io;             /* 3 * cap: latency us (C), next delay us and step (JavaScript) */
  uint32_t *rec_reg;      /* per record: the slot's registration when it was written */
  uint32_t *rec_gen;      /* per record: the attempt it belongs to */
  uint8_t *rec_final;     /* per record: it ended the attempt */
  uint8_t *rec_steady;    /* per record, written by JavaScript: after it the check is steady (shared) */
  uint64_t quiet;         /* successes the quiet path settled without JavaScript */
  double qbounds[MAX_QBOUNDS]; /* the quiet path's latency bucket bounds (us, increasing) */
  uint32_t nqbounds;
  uint32_t *heap, hlen, hcap;
  uint64_t hseq;
  uint32_t *held, nheld, heldcap;
  fifo_t *fifos;
  uint32_t nfifos;
  uint64_t started;
  uint64_t at_once;  /* connect-only attempts the second connect() ended (tests, status) */
  uint64_t polled;   /* timed attempts left in flight on the epoll fd */
} engine_t;

static void slot_free_reqs(slot_t *s) {
  for (uint32_t u = 0; u < s->nreq; u++) free(s->reqs[u]);
  free(s->reqs);
  free(s->req_lens);
  s->reqs = NULL;
  s->req_lens = NULL;
  s->nreq = 0;
}

static void engine_free(engine_t *e) {
  for (uint32_t i = 0; i < e->nslots; i++) {
    if (e->slots[i].req_cap) free(e->slots[i].req);
    slot_free_reqs(&e->slots[i]);
  }
  for (uint32_t f = 0; f < e->nfifos; f++) free(e->fifos[f].ring);
  free(e->fifos);
  free(e->heap);
  free(e->held);
  free(e->rec_reg);
  free(e->rec_gen);
  free(e->rec_final);
  free(e->events);
  free(e->slots);
  free(e);
}

static void maybe_free(engine_t *e) {
  if (e->finalized && e->poll_closed && (!e->timed || e->timer_closed)) engine_free(e);
}

static void on_poll_closed(uv_handle_t *h) {
  engine_t *e = h->data;
  e->poll_closed = 1;
  maybe_free(e);
}

static void on_timer_closed(uv_handle_t *h) {
  engine_t *e = h->data;
  e->timer_closed = 1;
  maybe_free(e);
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
  if (e->timed) {
    uv_timer_stop(&e->timer);
    uv_close((uv_handle_t *)&e->timer, on_timer_closed);
  }
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
  maybe_free(e);
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
  if (e->timed) {
    slot_t *sl = &e->slots[s];
    int final = kind == R_DONE || kind == R_FAIL || kind == R_EOF || kind == R_TIMEOUT;
    double lat = e->now - sl->t0;
    e->io[3 * *k] = lat > 0 ? lat : 0;
    e->io[3 * *k + 1] = -1;
    e->io[3 * *k + 2] = 0;
    e->rec_reg[*k] = sl->reg;
    e->rec_gen[*k] = sl->gen;
    e->rec_final[*k] = (uint8_t)final;
    e->rec_steady[*k] = 0;
    if (final) sl->where = W_WAIT;
  }
  (*k)++;
}

/* ---- deadlines (timed engine): a FIFO per distinct timeout length ---- */

static int fifo_for(engine_t *e, double timeout_us) {
  for (uint32_t f = 0; f < e->nfifos; f++)
    if (e->fifos[f].timeout_us == timeout_us) return (int)f;
  fifo_t *n = realloc(e->fifos, (e->nfifos + 1) * sizeof *n);
  if (n == NULL) return -1;
  e->fifos = n;
  fifo_t *f = &n[e->nfifos];
  memset(f, 0, sizeof *f);
  f->timeout_us = timeout_us;
  f->ring = malloc(64 * sizeof *f->ring);
  if (f->ring == NULL) return -1;
  f->mask = 63;
  return (int)e->nfifos++;
}

static int fifo_push(fifo_t *f, uint32_t slot, uint32_t tseq, double at) {
  if (f->size > f->mask) {
    uint32_t cap = (f->mask + 1) * 2;
    dl_t *r = malloc(cap * sizeof *r);
    if (r == NULL) return -1;
    for (uint32_t k = 0; k < f->size; k++) r[k] = f->ring[(f->head + k) & f->mask];
    free(f->ring);
    f->ring = r;
    f->mask = cap - 1;
    f->head = 0;
  }
  dl_t *d = &f->ring[(f->head + f->size) & f->mask];
  d->slot = slot;
  d->tseq = tseq;
  d->at = at;
  f->size++;
  return 0;
}

static int dl_live(engine_t *e, const dl_t *d) {
  slot_t *s = &e->slots[d->slot];
  return s->fd >= 0 && s->tseq == d->tseq;
}

/* the attempt in slot i waits afresh: every wait (connect, write, first byte, each read) gets the whole timeout */
static void arm_deadline(engine_t *e, uint32_t i) {
  slot_t *s = &e->slots[i];
  s->tseq++;
  if (s->fifo < 0) return;
  /* on failure to grow the ring the attempt has no deadline: it still ends on the peer's answer */
  (void)fifo_push(&e->fifos[s->fifo], i, s->tseq, e->now + s->timeout_us);
}

/* the earliest deadline that still waits (stale heads dropped) */
static double next_deadline(engine_t *e) {
  double at = INFINITY;
  for (uint32_t f = 0; f < e->nfifos; f++) {
    fifo_t *q = &e->fifos[f];
    while (q->size > 0 && !dl_live(e, &q->ring[q->head])) {
      q->head = (q->head + 1) & q->mask;
      q->size--;
    }
    if (q->size > 0 && q->ring[q->head].at < at) at = q->ring[q->head].at;
  }
  return at;
}

/*
 * ---- due times (timed engine): a binary heap of slots by (quantum, steady, due, hseq) ----
 * Checks due within one quantum start on one wakeup whatever their order, so within it the
 * ones that are not steady (a retry, a check going down or coming up: those whose result
 * JavaScript must see) come first and are reported before the steady ones start (cycle()):
 * a transition does not wait for a whole batch of connects (session 10: ~50 ms at 1,000
 * checks a quantum in the VM). A slot's steady flag only changes while it is out of the heap.
 */
static double qkey_of(engine_t *e, double due) {
  return e->quantum_us > 0 ? ceil(due / e->quantum_us) : due;
}

static int hless(engine_t *e, uint32_t a, uint32_t b) {
  slot_t *x = &e->slots[a], *y = &e->slots[b];
  if (x->qkey != y->qkey) return x->qkey < y->qkey;
  if (x->steady != y->steady) return x->steady < y->steady;
  return x->due < y->due || (x->due == y->due && x->hseq < y->hseq);
}

static void hplace(engine_t *e, uint32_t pos, uint32_t i) {
  e->heap[pos] = i;
  e->slots[i].hpos = (int32_t)pos;
}

static uint32_t hup(engine_t *e, uint32_t pos) {
  uint32_t i = e->heap[pos];
  while (pos > 0) {
    uint32_t p = (pos - 1) / 2;
    if (!hless(e, i, e->heap[p])) break;
    hplace(e, pos, e->heap[p]);
    pos = p;
  }
  hplace(e, pos, i);
  return pos;
}

static void hdown(engine_t *e, uint32_t pos) {
  uint32_t i = e->heap[pos];
  for (;;) {
    uint32_t l = 2 * pos + 1;
    if (l >= e->hlen) break;
    uint32_t r = l + 1, m = r < e->hlen && hless(e, e->heap[r], e->heap[l]) ? r : l;
    if (!hless(e, e->heap[m], i)) break;
    hplace(e, pos, e->heap[m]);
    pos = m;
  }
  hplace(e, pos, i);
}

static int hpush(engine_t *e, uint32_t i, double due) {
  if (e->hlen == e->hcap) {
    uint32_t cap = e->hcap ? e->hcap * 2 : 256;
    uint32_t *h = realloc(e->heap, cap * sizeof *h);
    if (h == NULL) return -1;
    e->heap = h;
    e->hcap = cap;
  }
  slot_t *s = &e->slots[i];
  s->due = due;
  s->qkey = qkey_of(e, due);
  s->hseq = e->hseq++;
  s->where = W_HEAP;
  e->heap[e->hlen] = i;
  s->hpos = (int32_t)e->hlen++;
  hup(e, e->hlen - 1);
  return 0;
}

static void hremove(engine_t *e, uint32_t i) {
  slot_t *s = &e->slots[i];
  uint32_t pos = (uint32_t)s->hpos;
  s->hpos = -1;
  uint32_t last = e->heap[--e->hlen];
  if (pos == e->hlen) return;
  hplace(e, pos, last);
  hdown(e, hup(e, pos));
}

/* ---- the I/O of one attempt (both engines) ---- */

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
    if (just_connected) {
      if (e->timed) arm_deadline(e, i);
      else put(e, k, i, R_CONNECTED, 0, 0);
    }
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
  if (e->timed) arm_deadline(e, i);
  else put(e, k, i, R_SENT, 0, 0);
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
      s->got += (uint32_t)n;
      if (e->timed) arm_deadline(e, i); /* the next read waits afresh */
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

/* takes what the epoll fd has ready into records (k: records so far, used: data bytes so far) */
static void collect(engine_t *e, uint32_t *k, uint32_t *used) {
  /* an event may bring up to 3 results (data, data, end): room for all of them */
  int room = (int)((e->cap - *k) / 3);
  if (room <= 0 || e->inflight == 0) return;
  int n = epoll_wait(e->epfd, e->events, room, 0);
  for (int j = 0; j < n && *k + 3 <= e->cap; j++) {
    uint64_t d = e->events[j].data.u64;
    uint32_t i = (uint32_t)d, gen = (uint32_t)(d >> 32);
    if (i >= e->nslots || e->slots[i].fd < 0 || e->slots[i].gen != gen) continue;
    slot_t *s = &e->slots[i];
    if (s->state == ST_READING) {
      read_response(e, i, k, used);
      continue;
    }
    if (s->state == ST_SENDING) {
      send_request(e, i, k, 0);
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == EINPROGRESS) continue; /* spurious: still connecting */
    if (err != 0 || !s->exchange) {
      end_slot(e, s);
      put(e, k, i, s->exchange ? R_FAIL : R_DONE, -err, P_CONNECT);
      continue;
    }
    s->state = ST_SENDING;
    send_request(e, i, k, 1);
  }
}

/* one call into JavaScript with the batch's k records */
static void report(engine_t *e, uint32_t k) {
  if (k == 0 || e->callback == NULL) return;
  napi_env env = e->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[1];
  napi_get_reference_value(env, e->callback, &fn);
  napi_get_reference_value(env, e->resource, &recv);
  napi_create_uint32(env, k, &argv[0]);
  if (e->timed) e->io[3 * e->cap] = e->now; /* the wakeup's clock, for JavaScript's times */
  e->reporting = 1;
  /* make_callback: the JavaScript runs as any I/O callback (microtasks and nextTicks after it) */
  napi_status st = napi_make_callback(env, e->ctx, recv, fn, 1, argv, NULL);
  e->reporting = 0;
  if (st == napi_pending_exception) {
    napi_value ex;
    if (napi_get_and_clear_last_exception(env, &ex) == napi_ok) napi_fatal_exception(env, ex);
  }
  napi_close_handle_scope(env, scope);
}

/* the epoll fd is readable (untimed engine): collect every finished step, then one call into JavaScript */
static void on_ready(uv_poll_t *h, int status, int events) {
  (void)events;
  engine_t *e = h->data;
  if (e->closed || status < 0) return;
  uint32_t k = 0, used = 0;
  collect(e, &k, &used);
  report(e, k);
}

/* ---- the timed engine's cycle ---- */

/* opens an attempt's socket and connects; a result at once is a record */
static void start_slot(engine_t *e, uint32_t i, uint32_t *k) {
  slot_t *s = &e->slots[i];
  s->where = W_FLIGHT;
  s->t0 = e->now;
  s->got = 0;
  s->req_off = 0;
  s->state = ST_CONNECTING;
  s->gen++;
  e->started++;
  if (s->exchange) {
    s->req = s->reqs[s->step < s->nreq ? s->step : 0];
    s->req_len = s->req_lens[s->step < s->nreq ? s->step : 0];
  }
  int fd = socket(s->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  int one = 1, err = fd < 0 ? errno : 0;
  if (!err && s->mark != 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &s->mark, sizeof s->mark) < 0) err = errno;
  /* SO_REUSEADDR as libuv's bind set it: a fixed bind_port is reusable while in TIME_WAIT */
  if (!err && s->bsalen > 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 || bind(fd, (struct sockaddr *)&s->bsa, s->bsalen) < 0)) err = errno;
  int exchange = s->exchange;
  if (!err) {
    if (connect(fd, (struct sockaddr *)&s->sa, s->salen) == 0) {
      if (!exchange) {
        /* connected within the call: done, no wait */
        close(fd);
        put(e, k, i, R_DONE, 0, P_AT_ONCE);
        return;
      }
    } else if (errno != EINPROGRESS)
      err = errno;
    else if (!exchange) {
      /*
       * Linux answers EINPROGRESS even when the loopback handshake completed while connect()
       * ran (the SYN-ACK waits in the socket's backlog until the call returns). A second
       * connect() tells: 0 or EISCONN connected, EALREADY still in flight, else the error
       * (ECONNREFUSED...). One system call instead of epoll_ctl(ADD), an epoll_wait share and
       * getsockopt(SO_ERROR) for most checks; the wire sees the same.
       */
      if (connect(fd, (struct sockaddr *)&s->sa, s->salen) == 0 || errno == EISCONN) {
        close(fd);
        e->at_once++;
        put(e, k, i, R_DONE, 0, P_AT_ONCE);
        return;
      }
      if (errno != EALREADY && errno != EINPROGRESS && errno != EINTR) {
        err = errno;
        e->at_once++;
      }
    }
  }
  if (!err) {
    struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = ((uint64_t)s->gen << 32) | i };
    if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) err = errno;
  }
  if (err) {
    if (fd >= 0) close(fd);
    put(e, k, i, exchange ? R_FAIL : R_DONE, -err, P_AT_ONCE);
    return;
  }
  e->polled++;
  s->fd = fd;
  if (e->inflight++ == 0) uv_ref((uv_handle_t *)&e->poll);
  arm_deadline(e, i);
}

/* ends every attempt whose wait ran out by now, as R_TIMEOUT records */
static void expire(engine_t *e, uint32_t *k) {
  for (uint32_t f = 0; f < e->nfifos; f++) {
    fifo_t *q = &e->fifos[f];
    while (q->size > 0 && *k < e->cap) {
      dl_t *d = &q->ring[q->head];
      if (dl_live(e, d)) {
        if (d->at > e->now) break;
        slot_t *s = &e->slots[d->slot];
        int32_t what = s->state == ST_CONNECTING ? T_CONNECT : s->state == ST_SENDING ? T_SEND : s->got == 0 ? T_FIRST_READ : T_READ;
        end_slot(e, s);
        put(e, k, d->slot, R_TIMEOUT, what, 0);
      }
      q->head = (q->head + 1) & q->mask;
      q->size--;
    }
  }
}

/*
 * starts what is due by up_to, up to the in-flight cap and the batch's room; unsteady_only:
 * only until the first steady check (the not-steady ones of the quantum come first)
 */
static void start_due(engine_t *e, double up_to, uint32_t *k, int unsteady_only) {
  while (e->hlen > 0 && *k + 4 <= e->cap) {
    uint32_t i = e->heap[0];
    slot_t *s = &e->slots[i];
    if (s->due > up_to || (unsteady_only && s->steady)) break;
    if (e->paused) {
      hremove(e, i);
      s->where = W_HELD;
      if (e->nheld == e->heldcap) {
        uint32_t cap = e->heldcap ? e->heldcap * 2 : 256;
        uint32_t *h = realloc(e->held, cap * sizeof *h);
        if (h == NULL) { (void)hpush(e, i, s->due); return; }
        e->held = h;
        e->heldcap = cap;
      }
      e->held[e->nheld++] = i;
      continue;
    }
    if (s->suspended) {
      /* ha_suspend: the attempt is skipped, as if it ended at once with delay_loop */
      hremove(e, i);
      double next = s->due + s->skip_us;
      if (next < e->now) next = e->now;
      if (next <= up_to) next = up_to + 1; /* a zero delay_loop: not again in this pass */
      (void)hpush(e, i, next);
      continue;
    }
    if (e->inflight >= e->max_inflight) break;
    hremove(e, i);
    start_slot(e, i, k);
  }
}

/* after JavaScript's call: each finished attempt's slot re-armed from its reply */
static void apply_replies(engine_t *e, uint32_t k) {
  for (uint32_t r = 0; r < k; r++) {
    uint32_t i = (uint32_t)e->results[4 * r];
    slot_t *s = &e->slots[i];
    if (s->reg != e->rec_reg[r] || s->reg == 0) continue; /* unregistered meanwhile */
    double delay = e->io[3 * r + 1];
    if (delay >= 0 && isfinite(delay)) {
      if (s->where == W_FLIGHT && s->gen == e->rec_gen[r]) {
        /* JavaScript ended the attempt early (a header too long to read further) */
        end_slot(e, s);
        s->where = W_WAIT;
      }
      if (s->where != W_WAIT) continue;
      double step = e->io[3 * r + 2];
      s->step = step >= 0 && step < MAX_URLS ? (uint32_t)step : 0;
      s->steady = e->rec_steady[r] != 0 && !s->exchange;
      s->steady_us = delay;
      double next = s->due + delay;
      if (hpush(e, i, next > e->now ? next : e->now) != 0) s->where = W_IDLE;
    } else if (e->rec_final[r] && s->where == W_WAIT) {
      s->where = W_IDLE;
      s->steady = 0;
    }
  }
}

/*
 * the quiet path: a steady check's success (a connect-only attempt that connected) is counted
 * and re-armed here, its record taken out of the batch; returns the records left for JavaScript
 */
static uint32_t settle_quiet(engine_t *e, uint32_t k) {
  uint32_t w = 0;
  for (uint32_t r = 0; r < k; r++) {
    int32_t *rec = e->results + 4 * r;
    slot_t *s = &e->slots[(uint32_t)rec[0]];
    if (s->steady && rec[1] == R_DONE && rec[2] == 0 && !s->exchange && e->rec_final[r] && s->reg == e->rec_reg[r] &&
        s->where == W_WAIT) {
      double lat = e->io[3 * r];
      uint32_t b = 0;
      while (b < e->nqbounds && lat > e->qbounds[b]) b++;
      s->q_hist[b]++;
      s->q_n++;
      s->q_sum += lat;
      s->q_lat = lat;
      s->q_at = e->now;
      e->quiet++;
      double next = s->due + s->steady_us;
      if (hpush(e, (uint32_t)rec[0], next > e->now ? next : e->now) != 0) s->where = W_IDLE;
      continue;
    }
    if (w != r) {
      memcpy(e->results + 4 * w, rec, 4 * sizeof *rec);
      memcpy(e->io + 3 * w, e->io + 3 * r, 3 * sizeof *e->io);
      e->rec_reg[w] = e->rec_reg[r];
      e->rec_gen[w] = e->rec_gen[r];
      e->rec_final[w] = e->rec_final[r];
      e->rec_steady[w] = 0;
    }
    w++;
  }
  return w;
}

static void on_timer(uv_timer_t *t);

static void arm_timer(engine_t *e) {
  if (e->closed) return;
  double at = next_deadline(e);
  if (e->hlen > 0 && (e->paused || e->inflight < e->max_inflight)) {
    double due = e->slots[e->heap[0]].due, q = e->quantum_us;
    double t = q > 0 ? ceil(due / q) * q : due;
    if (t < at) at = t;
  }
  if (at == e->timer_at) return;
  e->timer_at = at;
  if (at == INFINITY) {
    uv_timer_stop(&e->timer);
    return;
  }
  /* libuv's timers run on the loop's millisecond clock */
  double ms = ceil(at / 1000.0 - (double)uv_now(e->timer.loop));
  uv_timer_start(&e->timer, on_timer, ms > 0 ? (uint64_t)ms : 0, 0);
}

/*
 * One wakeup: collect, expire, start due (by up_to), collect, report, re-arm; again while
 * freed capacity lets checks that waited for it start (up to the last quantum boundary).
 */
/* the batch's records, less those settled quietly, to JavaScript and its replies applied; 0: the engine closed meanwhile */
static int deliver(engine_t *e, uint32_t k) {
  if ((k = settle_quiet(e, k)) == 0) return 1;
  report(e, k);
  if (e->closed) return 0;
  apply_replies(e, k);
  return 1;
}

static void cycle(engine_t *e, double up_to, int expire_too) {
  for (int round = 0; round < MAX_ROUNDS && !e->closed; round++) {
    uint32_t k = 0, used = 0;
    collect(e, &k, &used);
    if (expire_too && round == 0) expire(e, &k);
    uint64_t before = e->started;
    if (round == 0) {
      /* the checks that are not steady first, and their records (and what was collected or
       * expired) reported before the steady ones start: one more call into JavaScript only
       * when there is something to report, none in the steady state */
      start_due(e, up_to, &k, 1);
      if (e->started != before) collect(e, &k, &used);
      if (k > 0 && !deliver(e, k)) return;
      k = 0;
      used = 0;
      before = e->started;
    }
    start_due(e, up_to, &k, 0);
    if (e->started != before) collect(e, &k, &used);
    if (k == 0) break;
    if (!deliver(e, k)) return;
    /* only checks that waited for a free slot can be due now */
    double q = e->quantum_us;
    up_to = q > 0 ? floor(e->now / q) * q : e->now;
    if (e->hlen == 0 || e->inflight >= e->max_inflight || e->slots[e->heap[0]].due > up_to) break;
  }
  arm_timer(e);
}

static void on_timer(uv_timer_t *t) {
  engine_t *e = t->data;
  if (e->closed) return;
  double at = e->timer_at;
  e->timer_at = INFINITY;
  e->now = (double)uv_hrtime() / 1000.0;
  /* the wakeup was for `at` (the loop's clock may read a little early): all due by then starts */
  cycle(e, at > e->now && at != INFINITY ? at : e->now, 1);
}

static void on_timed_ready(uv_poll_t *h, int status, int events) {
  (void)events;
  engine_t *e = h->data;
  if (e->closed || status < 0) return;
  e->now = (double)uv_hrtime() / 1000.0;
  double q = e->quantum_us;
  cycle(e, q > 0 ? floor(e->now / q) * q : e->now, 0);
}

/* ---- N-API ---- */

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
  for (uint32_t i = e->nslots; i < n; i++) {
    s[i].fd = -1;
    s[i].hpos = -1;
    s[i].fifo = -1;
  }
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
 * Untimed engine only.
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

static int double_arg(napi_env env, napi_value v, double *out) {
  return napi_get_value_double(env, v, out) == napi_ok && isfinite(*out) ? 0 : -1;
}

/*
 * register(slot, sockaddr, bindSockaddr | null, mark, timeoutUs, skipUs, firstDelayUs,
 * requests | null, step) (timed engine): the check in `slot` runs from now on, first after
 * firstDelayUs (with url `step`), then as its replies say. requests: an Array of Buffers, one per url (an
 * HTTP_GET exchange; its step picks one), null: connect only (TCP_CHECK). timeoutUs: every
 * wait's limit (0 with requests: connect only, no limit, as keepalived's connect_timeout 0).
 * skipUs: the delay of an attempt skipped while suspended (delay_loop).
 */
static napi_value js_register(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  size_t argc = 9;
  void *data = NULL;
  int32_t slot, step = 0;
  uint32_t mark, nreq = 0;
  double timeout_us, skip_us, first_us;
  struct sockaddr *sa, *bsa = NULL;
  socklen_t salen, bsalen = 0;
  napi_valuetype bt, rt;
  const char *usage = "register(slot, sockaddr, bindSockaddr|null, mark, timeoutUs, skipUs, firstDelayUs, requests|null, step)";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < 9 || data == NULL) return throw_usage(env, usage);
  engine_t *e = data;
  if (int_arg(env, argv[0], &slot) != 0 || slot < 0 || sockaddr_arg(env, argv[1], &sa, &salen) != 0 ||
      napi_typeof(env, argv[2], &bt) != napi_ok || napi_get_value_uint32(env, argv[3], &mark) != napi_ok ||
      double_arg(env, argv[4], &timeout_us) != 0 || timeout_us < 0 || double_arg(env, argv[5], &skip_us) != 0 || skip_us < 0 ||
      double_arg(env, argv[6], &first_us) != 0 || first_us < 0 || napi_typeof(env, argv[7], &rt) != napi_ok ||
      int_arg(env, argv[8], &step) != 0 || step < 0 || step >= MAX_URLS)
    return throw_usage(env, usage);
  if (bt != napi_null && bt != napi_undefined && (sockaddr_arg(env, argv[2], &bsa, &bsalen) != 0 || bsa->sa_family != sa->sa_family))
    return throw_usage(env, "register: the bind address must be a sockaddr of the same family");
  int exchange = rt != napi_null && rt != napi_undefined;
  if (exchange) {
    bool is_array = false;
    if (napi_is_array(env, argv[7], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[7], &nreq) != napi_ok ||
        nreq == 0 || nreq > MAX_URLS)
      return throw_usage(env, "register: requests must be an Array of 1 to 1024 Buffers");
  }
  if (e->closed) return throw_usage(env, "register: the engine is closed");
  if (grow_slots(e, (uint32_t)slot + 1) != 0) return throw_errno(env, "register: slot table", ENOMEM);
  slot_t *s = &e->slots[slot];
  if (s->where != W_FREE) return throw_usage(env, "register: slot in use");
  if (exchange) {
    char **reqs = calloc(nreq, sizeof *reqs);
    uint32_t *lens = calloc(nreq, sizeof *lens);
    if (reqs == NULL || lens == NULL) {
      free(reqs);
      free(lens);
      return throw_errno(env, "register: requests", ENOMEM);
    }
    s->reqs = reqs;
    s->req_lens = lens;
    s->nreq = nreq;
    for (uint32_t u = 0; u < nreq; u++) {
      napi_value b;
      void *bytes;
      size_t len;
      if (napi_get_element(env, argv[7], u, &b) != napi_ok || buffer_arg(env, b, &bytes, &len) != 0 || len == 0 || len > MAX_REQUEST) {
        slot_free_reqs(s);
        return throw_usage(env, "register: each request must be a Buffer of 1 byte to 64 MiB");
      }
      if ((reqs[u] = malloc(len)) == NULL) {
        slot_free_reqs(s);
        return throw_errno(env, "register: requests", ENOMEM);
      }
      memcpy(reqs[u], bytes, len);
      lens[u] = (uint32_t)len;
    }
  }
  int fifo = -1;
  if (!exchange || timeout_us > 0) {
    fifo = fifo_for(e, timeout_us);
    if (fifo < 0) {
      slot_free_reqs(s);
      return throw_errno(env, "register: deadline queue", ENOMEM);
    }
  }
  memcpy(&s->sa, sa, salen);
  s->salen = salen;
  if (bsa != NULL) memcpy(&s->bsa, bsa, bsalen);
  s->bsalen = bsa != NULL ? bsalen : 0;
  s->mark = mark;
  /* connect_timeout 0: connect only (the write wait expires before the request goes out) */
  s->exchange = (uint8_t)(exchange && timeout_us > 0);
  s->req_cap = 0;
  s->req = NULL;
  s->fifo = fifo;
  s->timeout_us = timeout_us;
  s->skip_us = skip_us;
  s->step = (uint32_t)step;
  s->suspended = 0;
  s->steady = 0;
  s->q_n = s->q_sum = s->q_at = s->q_lat = 0;
  memset(s->q_hist, 0, sizeof s->q_hist);
  s->reg = ++e->next_reg ? e->next_reg : ++e->next_reg;
  s->t0 = 0;
  if (!e->reporting) e->now = (double)uv_hrtime() / 1000.0;
  if (hpush(e, (uint32_t)slot, e->now + first_us) != 0) {
    slot_free_reqs(s);
    s->where = W_FREE;
    s->reg = 0;
    return throw_errno(env, "register: heap", ENOMEM);
  }
  if (!e->reporting) arm_timer(e);
  return NULL;
}

/* unregister(slot): the check stops; an attempt in flight ends unreported */
static napi_value js_unregister(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  engine_t *e = engine_of(env, info, 1, argv);
  int32_t slot;
  if (e == NULL || int_arg(env, argv[0], &slot) != 0 || slot < 0) return throw_usage(env, "unregister(slot)");
  if ((uint32_t)slot >= e->nslots || e->slots[slot].where == W_FREE) return NULL;
  slot_t *s = &e->slots[slot];
  if (s->fd >= 0) end_slot(e, s);
  if (s->where == W_HEAP) hremove(e, (uint32_t)slot);
  if (s->where == W_HELD)
    for (uint32_t h = 0; h < e->nheld; h++)
      if (e->held[h] == (uint32_t)slot) {
        memmove(e->held + h, e->held + h + 1, (e->nheld - h - 1) * sizeof *e->held);
        e->nheld--;
        break;
      }
  slot_free_reqs(s);
  s->where = W_FREE;
  s->reg = 0;
  s->steady = 0;
  s->gen++;
  s->tseq++;
  if (!e->reporting) arm_timer(e);
  return NULL;
}

/* suspend(slot, on): ha_suspend; a suspended check's attempts are skipped (re-armed at skipUs) */
static napi_value js_suspend(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  engine_t *e = engine_of(env, info, 2, argv);
  int32_t slot, on;
  if (e == NULL || int_arg(env, argv[0], &slot) != 0 || slot < 0 || int_arg(env, argv[1], &on) != 0) return throw_usage(env, "suspend(slot, 0|1)");
  if ((uint32_t)slot < e->nslots && e->slots[slot].where != W_FREE) e->slots[slot].suspended = on != 0;
  return NULL;
}

/* pause(): checks that fall due are held (in that order) until resume() */
static napi_value js_pause(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  if (e == NULL || !e->timed) return throw_usage(env, "pause()");
  e->paused = 1;
  return NULL;
}

/* resume() -> checks held: they start on the next turn (before the checks due after them) */
static napi_value js_resume(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  if (e == NULL || !e->timed) return throw_usage(env, "resume()");
  uint32_t n = e->nheld;
  e->paused = 0;
  for (uint32_t h = 0; h < n; h++) {
    uint32_t i = e->held[h];
    (void)hpush(e, i, e->slots[i].due);
  }
  e->nheld = 0;
  if (n > 0 && !e->closed) {
    /* at once (not at the next quantum): they are late already */
    e->timer_at = -1;
    uv_timer_stop(&e->timer);
    uv_timer_start(&e->timer, on_timer, 0, 0);
  }
  return int_value(env, (int32_t)n);
}

/* setQuantum(us): the start quantum from now on (the engine's owner sizes it to the check rate) */
static napi_value js_set_quantum(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  engine_t *e = engine_of(env, info, 1, argv);
  double q;
  if (e == NULL || !e->timed || double_arg(env, argv[0], &q) != 0 || q < 0) return throw_usage(env, "setQuantum(us >= 0)");
  e->quantum_us = q;
  /* the heap's keys follow the quantum: computed again and the heap rebuilt */
  for (uint32_t h = 0; h < e->hlen; h++) e->slots[e->heap[h]].qkey = qkey_of(e, e->slots[e->heap[h]].due);
  for (uint32_t h = e->hlen / 2; h-- > 0;) hdown(e, h);
  e->timer_at = -1; /* re-arm on the new boundaries */
  arm_timer(e);
  return NULL;
}

/* inFlight() -> attempts waiting (tests) */
static napi_value js_in_flight(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  return e == NULL ? throw_usage(env, "inFlight()") : int_value(env, (int32_t)e->inflight);
}

/*
 * quiet(slot, out Float64Array(4 + bounds + 1)) -> the successes the quiet path settled for the
 * slot since the last call: out = [count, latency sum us, last one's clock us, its latency us,
 * then per latency bucket (createTimed's bounds, then above the last) its count]; the counts
 * start again from 0 (the clock and latency of the last one stay). Status and metrics ask;
 * nothing calls it per check.
 */
static napi_value js_quiet(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  engine_t *e = engine_of(env, info, 2, argv);
  int32_t slot;
  napi_typedarray_type tt;
  size_t len;
  void *mem;
  if (e == NULL || int_arg(env, argv[0], &slot) != 0 || slot < 0 ||
      napi_get_typedarray_info(env, argv[1], &tt, &len, &mem, NULL, NULL) != napi_ok || tt != napi_float64_array ||
      len < 4 + e->nqbounds + 1)
    return throw_usage(env, "quiet(slot, Float64Array(4 + bounds + 1))");
  double *out = mem;
  memset(out, 0, (4 + e->nqbounds + 1) * sizeof *out);
  napi_value v;
  if ((uint32_t)slot >= e->nslots || e->slots[slot].where == W_FREE) {
    napi_create_double(env, 0, &v);
    return v;
  }
  slot_t *s = &e->slots[slot];
  out[0] = s->q_n;
  out[1] = s->q_sum;
  out[2] = s->q_at;
  out[3] = s->q_lat;
  for (uint32_t b = 0; b <= e->nqbounds; b++) out[4 + b] = s->q_hist[b];
  napi_create_double(env, s->q_n, &v);
  s->q_n = s->q_sum = 0;
  memset(s->q_hist, 0, sizeof s->q_hist);
  return v;
}

/* stats() -> [scheduled, held, started, ended at once by the second connect, left in flight, settled quietly] (tests, status) */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  if (e == NULL) return throw_usage(env, "stats()");
  napi_value arr, v;
  napi_create_array_with_length(env, 6, &arr);
  napi_create_uint32(env, e->hlen, &v);
  napi_set_element(env, arr, 0, v);
  napi_create_uint32(env, e->nheld, &v);
  napi_set_element(env, arr, 1, v);
  napi_create_double(env, (double)e->started, &v);
  napi_set_element(env, arr, 2, v);
  napi_create_double(env, (double)e->at_once, &v);
  napi_set_element(env, arr, 3, v);
  napi_create_double(env, (double)e->polled, &v);
  napi_set_element(env, arr, 4, v);
  napi_create_double(env, (double)e->quiet, &v);
  napi_set_element(env, arr, 5, v);
  return arr;
}

/* close(): every attempt in flight ends unreported; the engine takes no more */
static napi_value js_engine_close(napi_env env, napi_callback_info info) {
  engine_t *e = engine_of(env, info, 0, NULL);
  if (e == NULL) return throw_usage(env, "close()");
  engine_close(e, 0);
  return NULL;
}

/* the engine object of both kinds; timed: quantumUs >= 0 and maxInFlight >= 1 */
static napi_value make_engine(napi_env env, napi_value cb, int32_t cap, int timed, double quantum_us, uint32_t max_inflight,
                              const double *qbounds, uint32_t nqbounds) {
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_usage(env, "create: no event loop");
  engine_t *e = calloc(1, sizeof *e);
  if (e == NULL) return throw_errno(env, "create", ENOMEM);
  e->env = env;
  e->cap = (uint32_t)cap;
  e->timed = timed;
  e->quantum_us = quantum_us;
  e->max_inflight = max_inflight;
  if (nqbounds > 0) memcpy(e->qbounds, qbounds, nqbounds * sizeof *qbounds);
  e->nqbounds = nqbounds;
  e->timer_at = INFINITY;
  e->events = calloc((size_t)cap / 3, sizeof *e->events);
  if (timed) {
    e->rec_reg = calloc((size_t)cap, sizeof *e->rec_reg);
    e->rec_gen = calloc((size_t)cap, sizeof *e->rec_gen);
    e->rec_final = calloc((size_t)cap, 1);
  }
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (e->events == NULL || e->epfd < 0 || (timed && (e->rec_reg == NULL || e->rec_gen == NULL || e->rec_final == NULL))) {
    int err = e->epfd < 0 ? errno : ENOMEM;
    if (e->epfd >= 0) close(e->epfd);
    engine_free(e);
    return throw_errno(env, "epoll_create1", err);
  }
  int r = uv_poll_init(loop, &e->poll, e->epfd);
  if (r == 0) r = uv_poll_start(&e->poll, UV_READABLE, timed ? on_timed_ready : on_ready);
  if (r != 0) {
    close(e->epfd);
    engine_free(e);
    return throw_errno(env, "uv_poll", -r);
  }
  e->poll.data = e;
  uv_unref((uv_handle_t *)&e->poll); /* the loop is kept alive only while attempts wait */
  if (timed) {
    uv_timer_init(loop, &e->timer);
    e->timer.data = e;
    uv_unref((uv_handle_t *)&e->timer); /* as the scheduler's timers: checks alone keep no process alive */
  }

  napi_value obj, ab, results, databuf, name, io = NULL, steady = NULL;
  void *mem, *dmem;
  napi_create_object(env, &obj);
  napi_create_arraybuffer(env, (size_t)cap * 4 * sizeof(int32_t), &mem, &ab);
  e->results = mem;
  napi_create_typedarray(env, napi_int32_array, (size_t)cap * 4, ab, 0, &results);
  napi_create_buffer(env, DATA_BYTES, &dmem, &databuf);
  e->data = dmem;
  if (timed) {
    napi_value iab;
    void *imem;
    napi_create_arraybuffer(env, ((size_t)cap * 3 + 1) * sizeof(double), &imem, &iab);
    e->io = imem;
    napi_create_typedarray(env, napi_float64_array, (size_t)cap * 3 + 1, iab, 0, &io);
    napi_value sab;
    void *smem;
    napi_create_arraybuffer(env, (size_t)cap, &smem, &sab);
    e->rec_steady = smem;
    napi_create_typedarray(env, napi_uint8_array, (size_t)cap, sab, 0, &steady);
  }
  napi_property_descriptor untimed_props[] = {
    { "results", NULL, NULL, NULL, NULL, results, napi_enumerable, NULL },
    { "data", NULL, NULL, NULL, NULL, databuf, napi_enumerable, NULL },
    { "connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, e },
    { "cancel", NULL, js_cancel, NULL, NULL, NULL, napi_enumerable, e },
    { "inFlight", NULL, js_in_flight, NULL, NULL, NULL, napi_enumerable, e },
    { "close", NULL, js_engine_close, NULL, NULL, NULL, napi_enumerable, e },
  };
  napi_property_descriptor timed_props[] = {
    { "results", NULL, NULL, NULL, NULL, results, napi_enumerable, NULL },
    { "data", NULL, NULL, NULL, NULL, databuf, napi_enumerable, NULL },
    { "io", NULL, NULL, NULL, NULL, io, napi_enumerable, NULL },
    { "steady", NULL, NULL, NULL, NULL, steady, napi_enumerable, NULL },
    { "quiet", NULL, js_quiet, NULL, NULL, NULL, napi_enumerable, e },
    { "register", NULL, js_register, NULL, NULL, NULL, napi_enumerable, e },
    { "unregister", NULL, js_unregister, NULL, NULL, NULL, napi_enumerable, e },
    { "suspend", NULL, js_suspend, NULL, NULL, NULL, napi_enumerable, e },
    { "pause", NULL, js_pause, NULL, NULL, NULL, napi_enumerable, e },
    { "resume", NULL, js_resume, NULL, NULL, NULL, napi_enumerable, e },
    { "setQuantum", NULL, js_set_quantum, NULL, NULL, NULL, napi_enumerable, e },
    { "inFlight", NULL, js_in_flight, NULL, NULL, NULL, napi_enumerable, e },
    { "stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, e },
    { "close", NULL, js_engine_close, NULL, NULL, NULL, napi_enumerable, e },
  };
  if (timed) napi_define_properties(env, obj, sizeof timed_props / sizeof timed_props[0], timed_props);
  else napi_define_properties(env, obj, sizeof untimed_props / sizeof untimed_props[0], untimed_props);
  napi_create_reference(env, cb, 1, &e->callback);
  napi_create_reference(env, obj, 0, &e->resource);
  napi_create_string_utf8(env, timed ? "lvsd.checks" : "lvsd.connect", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, obj, name, &e->ctx);
  napi_wrap(env, obj, e, engine_finalize, NULL, NULL);
  napi_add_env_cleanup_hook(env, engine_cleanup_hook, e);
  return obj;
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
  return make_engine(env, argv[0], cap, 0, 0, 0, NULL, 0);
}

/*
 * createTimed(onBatch(count), capacity, quantumUs, maxInFlight, latencyBoundsUs Float64Array) ->
 * { results, io:
 * Float64Array(3 * capacity + 1), data, register, unregister, suspend, pause, resume, inFlight,
 * stats, close }. Per record r: io[3r] latency (us since the attempt started); JavaScript
 * writes io[3r+1] (the next attempt's delay in us, after the due time of this one; -1: none)
 * and io[3r+2] (its step) for the record that ended an attempt. io[3 * capacity]: the batch's
 * clock (uv_hrtime, us). latencyBoundsUs: the quiet path's bucket bounds (1..MAX_QBOUNDS,
 * finite, positive, increasing), copied.
 */
static napi_value js_create_timed(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t cap, max;
  double q;
  napi_valuetype t;
  napi_typedarray_type bt;
  size_t nb = 0;
  void *bmem = NULL;
  int bad = get_args(env, info, 5, argv) != 0 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function ||
            int_arg(env, argv[1], &cap) != 0 || cap < 8 || cap > 65536 || double_arg(env, argv[2], &q) != 0 || q < 0 ||
            int_arg(env, argv[3], &max) != 0 || max < 1 ||
            napi_get_typedarray_info(env, argv[4], &bt, &nb, &bmem, NULL, NULL) != napi_ok || bt != napi_float64_array ||
            nb < 1 || nb > MAX_QBOUNDS;
  const double *bounds = bmem;
  for (size_t i = 0; !bad && i < nb; i++)
    bad = !isfinite(bounds[i]) || bounds[i] <= 0 || (i > 0 && bounds[i] <= bounds[i - 1]);
  if (bad)
    return throw_usage(env, "createTimed(onBatch, capacity 8..65536, quantumUs >= 0, maxInFlight >= 1, "
                            "Float64Array of 1..32 increasing positive latency bounds us)");
  return make_engine(env, argv[0], cap, 1, q, (uint32_t)max, bounds, (uint32_t)nb);
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
    METHOD("createTimed", js_create_timed),
    METHOD("sockaddr", js_sockaddr),
  };
  DEFINE_METHODS(env, exports, props);
  return exports;
}
