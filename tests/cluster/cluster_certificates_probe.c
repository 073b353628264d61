/* Makes a cluster's certificates through lunatic::distributed for cluster_certificates_test.py,
 * which checks them with openssl.
 *
 *     probe make DIR      writes DIR/root.pem, root.key (test_root_cert), server.pem,
 *                         server.key (default_server_certificates under that root) and
 *                         node.pem (sign_node of DIR/node.csr); says what sign_node answers
 *                         for a request that is not one
 *     probe mismatched DIR   default_server_certificates with the root certificate and
 *                            server.key: the process must fail
 *     probe not-pem DIR      sign_node with a root certificate that is not PEM: likewise
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lunatic.h"
#include "lunatic_sqlite.h"

LUNATIC_SQLITE_ALLOCATOR

typedef struct {
  char* data;
  size_t length;
} text;

static void die(const char* why) {
  fprintf(stderr, "probe: %s\n", why);
  exit(2);
}

static text read_file(const char* dir, const char* name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "rb");
  if (!f) die(path);
  text t = {malloc(65536), 0};
  t.length = fread(t.data, 1, 65536, f);
  fclose(f);
  return t;
}

static void write_file(const char* dir, const char* name, const uint8_t* data, uint64_t length) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  if (!f || fwrite(data, 1, length, f) != length || fclose(f) != 0) die(path);
}

/* The next bincode String of the reply at *at (of `end`), written to DIR/name. */
static void next_string_to(const uint8_t** at, const uint8_t* end, const char* dir, const char* name) {
  uint64_t length = 0;
  if (end - *at < 8) die("reply too short");
  for (int i = 0; i < 8; ++i) length |= (uint64_t)(*at)[i] << (8 * i);
  *at += 8;
  if ((uint64_t)(end - *at) < length) die("reply too short");
  write_file(dir, name, *at, length);
  *at += length;
}

/* Writes the reply's strings to `names`, and checks nothing is left. */
static void save(uint32_t ptr, uint32_t length, const char* dir, const char* const* names, int count) {
  if (ptr == 0) die("no reply");
  const uint8_t* at = (const uint8_t*)(uintptr_t)ptr;
  const uint8_t* end = at + length;
  for (int i = 0; i < count; ++i) next_string_to(&at, end, dir, names[i]);
  if (at != end) die("reply too long");
}

int main(int argc, char** argv) {
  if (argc != 3) die("usage: probe make|mismatched|not-pem DIR");
  const char* dir = argv[2];
  uint32_t length = 0;
  if (!strcmp(argv[1], "make")) {
    uint32_t ptr = lunatic_raw_distributed_test_root_cert(&length);
    save(ptr, length, dir, (const char* const[]){"root.pem", "root.key"}, 2);
    text root = read_file(dir, "root.pem"), key = read_file(dir, "root.key");
    ptr = lunatic_raw_distributed_default_server_certificates(root.data, root.length, key.data, key.length, &length);
    save(ptr, length, dir, (const char* const[]){"server.pem", "server.key"}, 2);
    text csr = read_file(dir, "node.csr");
    ptr = lunatic_raw_distributed_sign_node(root.data, root.length, key.data, key.length, csr.data, csr.length,
                                            &length);
    save(ptr, length, dir, (const char* const[]){"node.pem"}, 1);
    const char garbage[] = "-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----\n";
    printf("garbage request: %u\n", lunatic_raw_distributed_sign_node(root.data, root.length, key.data, key.length,
                                                                      garbage, sizeof garbage - 1, &length));
    return 0;
  }
  text root = read_file(dir, "root.pem");
  if (!strcmp(argv[1], "mismatched")) {
    text other = read_file(dir, "server.key");
    lunatic_raw_distributed_default_server_certificates(root.data, root.length, other.data, other.length, &length);
  } else {
    text key = read_file(dir, "root.key");
    text csr = read_file(dir, "node.csr");
    lunatic_raw_distributed_sign_node("not pem", 7, key.data, key.length, csr.data, csr.length, &length);
  }
  printf("FAIL the call returned\n");
  return 0;
}
