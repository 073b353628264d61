/* slow_dns.c: a getaddrinfo that takes its time, preloaded (LD_PRELOAD) into the net tests'
 * executables by host_peer.py, so that a test can have a process wait on a DNS lookup for as
 * long as it likes: a time out, or a kill, while the lookup runs.
 *
 * A name "<ms>.slow.test" sleeps <ms> milliseconds on the calling thread (the runtime's
 * blocking pool: never a worker) and then resolves to 127.0.0.1. Every other name goes to
 * the C library's getaddrinfo, and so does a numeric-only lookup (AI_NUMERICHOST), which
 * must not wait.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static const char kSuffix[] = ".slow.test";

typedef int (*getaddrinfo_fn)(const char*, const char*, const struct addrinfo*, struct addrinfo**);

/* The delay a slow name asks for, or -1 if `node` is not one. */
static long delay_of(const char* node) {
  if (!node) return -1;
  size_t length = strlen(node), suffix = sizeof kSuffix - 1;
  if (length <= suffix || strcmp(node + length - suffix, kSuffix) != 0) return -1;
  char* end;
  long ms = strtol(node, &end, 10);
  return end == node + length - suffix && ms >= 0 ? ms : -1;
}

int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints, struct addrinfo** out) {
  long ms = delay_of(node);
  /* A numeric-only lookup never waits (the runtime tries one on the worker first). */
  if (ms < 0 || (hints && (hints->ai_flags & AI_NUMERICHOST))) {
    getaddrinfo_fn next = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    return next ? next(node, service, hints, out) : EAI_FAIL;
  }
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&pause, &pause) != 0) {
  }
  /* One IPv4 entry; freeaddrinfo frees the entry and its address, as the C library's do
   * (glibc allocates them in one block: so do we). */
  struct {
    struct addrinfo info;
    struct sockaddr_in address;
  }* entry = calloc(1, sizeof *entry);
  if (!entry) return EAI_MEMORY;
  entry->address.sin_family = AF_INET;
  entry->address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  entry->info.ai_family = AF_INET;
  entry->info.ai_socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_STREAM;
  entry->info.ai_addrlen = sizeof entry->address;
  entry->info.ai_addr = (struct sockaddr*)&entry->address;
  *out = &entry->info;
  return 0;
}
