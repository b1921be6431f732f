/*
 * bench/daemon.sh's reload poller: sends SIGHUP to a daemon and reports when the kernel's IPVS
 * table shows one destination at a given weight. Why C: the poller runs beside the daemon it
 * times, in the same 2-vCPU TCG guest. A poll through lvsd's JavaScript netlink client cost
 * ~13 ms of guest CPU, so the poller held most of a vCPU while the daemon reloaded, and a
 * change was seen ~15 ms after it landed on average (13 ms dump + 5 ms pause per poll). One
 * dump here is one sendmsg and one or two recvmsg.
 *
 * usage: ipvs-poll PID VS_ADDR VS_PORT RS_ADDR RS_PORT WEIGHT TIMEOUT_S POLL_US [SRC DST]
 * (IPv4 TCP service; SRC is copied over DST just before the signal: HUP_AFTER_WRITE=1)
 * prints: "signal_ms seen_ms|timeout median_poll_ms polls", times in ms of the real-time clock
 * (as the daemons' own logs), the median of 21 polls made before the signal.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536
static char rx[BUF];
static int fd;
static uint32_t seq;

static double wall_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "ipvs-poll: %s: %s\n", what, strerror(errno));
  exit(2);
}

/* appends attribute (type, len bytes of data) at *off in buf; returns its start */
static size_t put_attr(char *buf, size_t *off, uint16_t type, const void *data, uint16_t len) {
  size_t at = *off;
  struct nlattr *a = (struct nlattr *)(buf + at);
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + len;
  if (len) memcpy(buf + at + NLA_HDRLEN, data, len);
  *off = at + NLA_ALIGN(a->nla_len);
  return at;
}

/* one request; returns the length of the first reply datagram */
static ssize_t request(char *msg, size_t len) {
  struct nlmsghdr *h = (struct nlmsghdr *)msg;
  h->nlmsg_len = len;
  h->nlmsg_seq = ++seq;
  if (send(fd, msg, len, 0) < 0) die("send");
  ssize_t n = recv(fd, rx, sizeof rx, 0);
  if (n < 0) die("recv");
  return n;
}

static uint16_t family_id(void) {
  char msg[128] = {0};
  struct nlmsghdr *h = (struct nlmsghdr *)msg;
  h->nlmsg_type = GENL_ID_CTRL;
  h->nlmsg_flags = NLM_F_REQUEST;
  struct genlmsghdr *g = NLMSG_DATA(h);
  g->cmd = CTRL_CMD_GETFAMILY;
  g->version = 1;
  size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
  put_attr(msg, &off, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME, sizeof IPVS_GENL_NAME);
  ssize_t n = request(msg, off);
  struct nlmsghdr *r = (struct nlmsghdr *)rx;
  if (n < (ssize_t)NLMSG_HDRLEN || r->nlmsg_type == NLMSG_ERROR) {
    fprintf(stderr, "ipvs-poll: no IPVS generic netlink family (ip_vs not loaded?)\n");
    exit(2);
  }
  char *p = (char *)NLMSG_DATA(r) + GENL_HDRLEN, *end = rx + r->nlmsg_len;
  while (p + NLA_HDRLEN <= end) {
    struct nlattr *a = (struct nlattr *)p;
    if (a->nla_len < NLA_HDRLEN) break;
    if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID) return *(uint16_t *)(p + NLA_HDRLEN);
    p += NLA_ALIGN(a->nla_len);
  }
  fprintf(stderr, "ipvs-poll: the controller's answer has no family id\n");
  exit(2);
}

static char dump_msg[256];
static size_t dump_len;
static struct in_addr want_addr;
static uint16_t want_port;
static uint32_t want_weight;

static void build_dump(uint16_t fam, struct in_addr vs, uint16_t vs_port) {
  struct nlmsghdr *h = (struct nlmsghdr *)dump_msg;
  h->nlmsg_type = fam;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  struct genlmsghdr *g = NLMSG_DATA(h);
  g->cmd = IPVS_CMD_GET_DEST;
  g->version = IPVS_GENL_VERSION;
  size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
  size_t svc = put_attr(dump_msg, &off, IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, NULL, 0);
  uint16_t af = AF_INET, proto = IPPROTO_TCP;
  unsigned char addr[16] = {0}; /* IPVS takes a 16-byte address whatever the family */
  memcpy(addr, &vs, 4);
  put_attr(dump_msg, &off, IPVS_SVC_ATTR_AF, &af, 2);
  put_attr(dump_msg, &off, IPVS_SVC_ATTR_PROTOCOL, &proto, 2);
  put_attr(dump_msg, &off, IPVS_SVC_ATTR_ADDR, addr, sizeof addr);
  put_attr(dump_msg, &off, IPVS_SVC_ATTR_PORT, &vs_port, 2);
  ((struct nlattr *)(dump_msg + svc))->nla_len = off - svc;
  dump_len = off;
}

/* whether the destination is listed with the weight in this destination message */
static int dest_matches(struct nlmsghdr *r) {
  char *p = (char *)NLMSG_DATA(r) + GENL_HDRLEN, *end = (char *)r + r->nlmsg_len;
  for (; p + NLA_HDRLEN <= end; p += NLA_ALIGN(((struct nlattr *)p)->nla_len)) {
    struct nlattr *a = (struct nlattr *)p;
    if (a->nla_len < NLA_HDRLEN) return 0;
    if ((a->nla_type & NLA_TYPE_MASK) != IPVS_CMD_ATTR_DEST) continue;
    int addr_ok = 0, port_ok = 0, weight_ok = 0;
    char *q = p + NLA_HDRLEN, *qend = p + a->nla_len;
    for (; q + NLA_HDRLEN <= qend; q += NLA_ALIGN(((struct nlattr *)q)->nla_len)) {
      struct nlattr *b = (struct nlattr *)q;
      if (b->nla_len < NLA_HDRLEN) return 0;
      char *v = q + NLA_HDRLEN;
      switch (b->nla_type & NLA_TYPE_MASK) {
        case IPVS_DEST_ATTR_ADDR: addr_ok = memcmp(v, &want_addr, 4) == 0; break;
        case IPVS_DEST_ATTR_PORT: port_ok = *(uint16_t *)v == want_port; break;
        case IPVS_DEST_ATTR_WEIGHT: weight_ok = *(uint32_t *)v == want_weight; break;
      }
    }
    return addr_ok && port_ok && weight_ok;
  }
  return 0;
}

/* one dump of the service's destinations: 1 when the wanted one has the wanted weight */
static int seen(void) {
  ssize_t n = request(dump_msg, dump_len);
  int found = 0;
  for (int guard = 0; guard < 10000; guard++) {
    for (struct nlmsghdr *r = (struct nlmsghdr *)rx; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_type == NLMSG_DONE) return found;
      if (r->nlmsg_type == NLMSG_ERROR) return 0; /* e.g. the service is not there (yet) */
      if (!found && dest_matches(r)) found = 1;
    }
    n = recv(fd, rx, sizeof rx, 0);
    if (n < 0) die("recv");
  }
  return found;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void copy_file(const char *src, const char *dst) {
  int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0) die("copy");
  char buf[65536];
  ssize_t k;
  while ((k = read(in, buf, sizeof buf)) > 0) {
    if (write(out, buf, k) != k) die("copy write");
  }
  if (k < 0) die("copy read");
  close(in);
  close(out);
}

int main(int argc, char **argv) {
  if (argc != 9 && argc != 11) {
    fprintf(stderr, "usage: ipvs-poll PID VS_ADDR VS_PORT RS_ADDR RS_PORT WEIGHT TIMEOUT_S POLL_US [SRC DST]\n");
    return 2;
  }
  pid_t pid = atoi(argv[1]);
  struct in_addr vs;
  if (inet_pton(AF_INET, argv[2], &vs) != 1 || inet_pton(AF_INET, argv[4], &want_addr) != 1) {
    fprintf(stderr, "ipvs-poll: bad address\n");
    return 2;
  }
  uint16_t vs_port = htons(atoi(argv[3]));
  want_port = htons(atoi(argv[5]));
  want_weight = strtoul(argv[6], NULL, 10);
  double timeout_ms = atof(argv[7]) * 1e3;
  useconds_t pause_us = atoi(argv[8]);

  fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) die("socket");
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  build_dump(family_id(), vs, vs_port);

  double costs[21];
  for (int i = 0; i < 21; i++) {
    double a = mono_ms();
    seen();
    costs[i] = mono_ms() - a;
  }
  qsort(costs, 21, sizeof costs[0], cmp_double);

  if (argc == 11) copy_file(argv[9], argv[10]);
  double t0 = wall_ms(), m0 = mono_ms();
  if (kill(pid, SIGHUP) < 0) die("kill");
  long polls = 0;
  double at = 0;
  while (mono_ms() - m0 < timeout_ms) {
    polls++;
    if (seen()) {
      at = t0 + (mono_ms() - m0);
      break;
    }
    if (pause_us) usleep(pause_us);
  }
  if (at) printf("%.1f %.1f %.2f %ld\n", t0, at, costs[10], polls);
  else printf("%.1f timeout %.2f %ld\n", t0, costs[10], polls);
  return 0;
}
