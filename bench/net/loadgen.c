/* loadgen: the client side of the TCP and TLS echo benchmarks (README.md here).
 *
 *   loadgen [--tls] PORT CONNECTIONS SECONDS [WARMUP_SECONDS] [MESSAGE_BYTES]
 *
 * Opens CONNECTIONS connections to 127.0.0.1:PORT; on each, sends one message of
 * MESSAGE_BYTES (64) and waits for all of it to come back before sending the next, for
 * WARMUP_SECONDS (1) and then SECONDS. One thread and one epoll instance drive every
 * connection, so the generator costs the same whatever server it measures. Only round trips
 * that end after the warm-up count. Each echo is compared with what was sent (every message
 * holds its connection and sequence number), so a server that mixes up streams fails.
 * Prints one line:
 *
 *   RESULT echo <messages/s> <messages> p50_us=<..> p99_us=<..> connections=<N> all=<..>
 *
 * where all= counts the round trips of the warm-up too (for the server's CPU time per
 * message, which covers the whole run).
 * Exit status 1 (with a line on stderr) if a connection fails, closes or echoes wrong bytes.
 * --tls: each connection makes a TLS handshake (OpenSSL, before the clock starts; the
 * server's certificate is not checked) and every message goes as a TLS record; TLS 1.3 with
 * TLS_AES_128_GCM_SHA256 only, so that every server runs the same cipher.
 * Built natively: cc -O2 -o loadgen loadgen.c -lssl -lcrypto */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kMaxMessage = 4096 };
/* Latencies are counted in 1 µs buckets up to one second; slower round trips share the last
 * bucket. Exact percentiles without keeping every sample. */
enum { kBuckets = 1000000 };

typedef struct {
  int fd;
  SSL* ssl;           /* --tls */
  uint32_t index;
  uint64_t sequence;  /* of the message in flight */
  size_t sent;        /* bytes of it written so far */
  size_t received;    /* bytes of its echo read so far */
  uint64_t sent_at;   /* when its first byte was written, ns */
  uint8_t message[kMaxMessage];
} Connection;

static size_t message_bytes = 64;
static SSL_CTX* tls;  /* --tls */

/* send(2) or SSL_write: the bytes sent, or -1 with errno EAGAIN if it would block. */
static ssize_t transfer(Connection* c, int sending, void* buf, size_t len) {
  if (!c->ssl) return sending ? send(c->fd, buf, len, MSG_NOSIGNAL) : recv(c->fd, buf, len, 0);
  int n = sending ? SSL_write(c->ssl, buf, (int)len) : SSL_read(c->ssl, buf, (int)len);
  if (n > 0) return n;
  int error = SSL_get_error(c->ssl, n);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    errno = EAGAIN;
    return -1;
  }
  if (error == SSL_ERROR_ZERO_RETURN) return 0;
  if (error == SSL_ERROR_SSL) errno = EPROTO;
  return -1;
}
static uint32_t* histogram;
static uint64_t counted, all_round_trips, measure_from_ns;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void die(const char* what, const Connection* c) {
  if (c)
    fprintf(stderr, "loadgen: connection %u: %s: %s\n", c->index, what, errno ? strerror(errno) : "");
  else
    fprintf(stderr, "loadgen: %s: %s\n", what, errno ? strerror(errno) : "");
  exit(1);
}

/* The message's bytes depend on connection and sequence, so an echo from the wrong
 * connection or of an older message is caught. */
static void fill_message(Connection* c) {
  for (size_t i = 0; i < message_bytes; ++i)
    c->message[i] = (uint8_t)(c->index * 131u + c->sequence * 31u + i * 7u);
}

/* Writes what is left of the message in flight; false if the socket is full. */
static int send_rest(Connection* c) {
  while (c->sent < message_bytes) {
    ssize_t n = transfer(c, 1, c->message + c->sent, message_bytes - c->sent);
    if (n < 0) {
      if (errno == EAGAIN) return 0;
      if (errno == EINTR) continue;
      die("send", c);
    }
    c->sent += (size_t)n;
  }
  return 1;
}

static void start_message(Connection* c, int epoll_fd) {
  ++c->sequence;
  fill_message(c);
  c->sent = c->received = 0;
  c->sent_at = now_ns();
  if (!send_rest(c)) {  /* rare with 64 bytes: wait for room, then finish the write */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl", c);
  }
}

static void record(uint64_t end_ns, uint64_t start_ns) {
  ++all_round_trips;
  if (end_ns < measure_from_ns) return;
  uint64_t us = (end_ns - start_ns) / 1000;
  histogram[us < kBuckets ? us : kBuckets - 1]++;
  ++counted;
}

static void on_readable(Connection* c, int epoll_fd) {
  uint8_t buf[kMaxMessage];
  for (;;) {
    size_t want = message_bytes - c->received;
    ssize_t n = transfer(c, 0, buf, want);
    if (n < 0) {
      if (errno == EAGAIN) return;
      if (errno == EINTR) continue;
      die("recv", c);
    }
    if (n == 0) {
      errno = 0;
      die("closed by the server", c);
    }
    if (memcmp(buf, c->message + c->received, (size_t)n) != 0) {
      errno = 0;
      die("echo differs from what was sent", c);
    }
    c->received += (size_t)n;
    if (c->received == message_bytes) {
      record(now_ns(), c->sent_at);
      start_message(c, epoll_fd);
      return;  /* the answer is not there yet: back to epoll */
    }
  }
}

static void on_writable(Connection* c, int epoll_fd) {
  if (!send_rest(c)) return;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) die("epoll_ctl", c);
}

static double percentile_us(double p) {
  uint64_t rank = (uint64_t)((double)counted * p);
  if (rank >= counted) rank = counted - 1;
  uint64_t seen = 0;
  for (uint32_t us = 0; us < kBuckets; ++us) {
    seen += histogram[us];
    if (seen > rank) return us + 0.5;  /* the bucket's middle */
  }
  return kBuckets;
}

/* Connects with a blocking connect (the server's accept queue takes them all), then makes
 * the socket non-blocking for the run. */
static int open_connection(int port, Connection* c) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket", c);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int attempt = 0; connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0; ++attempt) {
    /* A listener that starts late or a full accept queue: retry for a few seconds. */
    if ((errno != ECONNREFUSED && errno != EAGAIN && errno != ETIMEDOUT) || attempt == 50)
      die("connect", c);
    close(fd);
    usleep(100000);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket", c);
  }
  int one = 1;  /* a 64-byte request must not wait for Nagle */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (tls) {
    c->ssl = SSL_new(tls);
    if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1 || SSL_connect(c->ssl) != 1) {
      ERR_print_errors_fp(stderr);
      errno = EPROTO;
      die("TLS handshake", c);
    }
  }
  if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) die("fcntl", c);
  return fd;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--tls") == 0) {
    tls = SSL_CTX_new(TLS_client_method());
    if (!tls || SSL_CTX_set_min_proto_version(tls, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_ciphersuites(tls, "TLS_AES_128_GCM_SHA256") != 1)
      die("TLS context", NULL);
    SSL_CTX_set_verify(tls, SSL_VERIFY_NONE, NULL);
    --argc;
    ++argv;
  }
  if (argc < 4) {
    fprintf(stderr, "usage: loadgen [--tls] PORT CONNECTIONS SECONDS [WARMUP_SECONDS] [MESSAGE_BYTES]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  long connections = atol(argv[2]);
  double seconds = atof(argv[3]);
  double warmup = argc > 4 ? atof(argv[4]) : 1.0;
  if (argc > 5) message_bytes = (size_t)atol(argv[5]);
  if (port <= 0 || port > 65535 || connections < 1 || seconds <= 0 || warmup < 0 ||
      message_bytes < 1 || message_bytes > kMaxMessage) {
    fprintf(stderr, "loadgen: bad arguments\n");
    return 2;
  }
  /* One descriptor a connection, and a few more. */
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t)connections + 16) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  histogram = calloc(kBuckets, sizeof *histogram);
  Connection* conns = calloc((size_t)connections, sizeof *conns);
  if (!histogram || !conns) die("out of memory", NULL);

  int epoll_fd = epoll_create1(0);
  if (epoll_fd < 0) die("epoll_create1", NULL);
  for (long i = 0; i < connections; ++i) {
    Connection* c = &conns[i];
    c->index = (uint32_t)i;
    c->fd = open_connection(port, c);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl", c);
  }

  uint64_t start = now_ns();
  measure_from_ns = start + (uint64_t)(warmup * 1e9);
  uint64_t end = measure_from_ns + (uint64_t)(seconds * 1e9);
  for (long i = 0; i < connections; ++i) start_message(&conns[i], epoll_fd);
  struct epoll_event events[256];
  for (;;) {
    uint64_t now = now_ns();
    if (now >= end) break;
    int timeout_ms = (int)((end - now) / 1000000) + 1;
    int n = epoll_wait(epoll_fd, events, 256, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait", NULL);
    }
    for (int i = 0; i < n; ++i) {
      Connection* c = events[i].data.ptr;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        errno = 0;
        die("error or hang-up", c);
      }
      if (events[i].events & EPOLLOUT) on_writable(c, epoll_fd);
      if (events[i].events & EPOLLIN) on_readable(c, epoll_fd);
    }
  }
  double measured = (double)(now_ns() - measure_from_ns) / 1e9;
  if (counted == 0) {
    errno = 0;
    die("no round trip completed after the warm-up", NULL);
  }
  printf("RESULT echo %.1f %llu p50_us=%.1f p99_us=%.1f connections=%ld all=%llu\n",
         (double)counted / measured, (unsigned long long)counted, percentile_us(0.50),
         percentile_us(0.99), connections, (unsigned long long)all_round_trips);
  for (long i = 0; i < connections; ++i) close(conns[i].fd);
  return 0;
}
