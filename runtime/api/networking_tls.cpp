// lunatic::networking's TLS functions (tls_bind ... tls_flush), with upstream Lunatic 0.13's
// names, signatures and results, on OpenSSL 3.
//
// A TLS listener or stream is a HostSocket that also holds OpenSSL's state, in tables of its
// own (networking.h), so ids, clones, timeouts and messages work as for TCP. OpenSSL reaches
// a stream's socket through a BIO of ours (streamMethod). The peer's bytes come in through
// the worker's I/O engine (io::receiveOnEngine) into the stream's own buffer, which the BIO
// hands OpenSSL: a read that runs out parks the process on a receive, which on io_uring
// brings the data with the wake-up, instead of a read(2) that says EAGAIN, a wait for
// readiness and a second read(2). Records go out by send(2) without waiting and without
// SIGPIPE (a socket BIO's write(2) would raise it, ending the runtime, when a peer has
// reset); a write that would block parks the process until the socket is writable
// (io::waitReady). Either way a slow peer parks only its process. Kernel TLS, which needs
// OpenSSL's socket BIO, is not used. An SSL object is not for two threads at once, and
// clones of a stream may be in processes on two workers: each SSL call, and each change of
// the input, runs under the stream's mutex, which is never held while a process parks.
//
// Differences from upstream (docs/abi.md, "Deviations"), each where upstream ends the
// process for what a server must survive:
// - tls_bind answers an error id for a certificate or key it cannot use (upstream traps);
//   it takes a chain (the certificate, then its intermediates) and a key in any PEM form.
// - tls_accept returns once the TCP connection is accepted; the handshake runs on the
//   stream's first read or write, in whichever process then holds the stream, under that
//   call's timeout, and a failed one is that call's error id (upstream handshakes inside
//   tls_accept, without a timeout, and traps if it fails: one stalled client would stop a
//   server's accept loop).
// - tls_connect's timeout covers the lookup, the connection and the handshake (upstream:
//   the connection only); a failed handshake (an untrusted certificate, a wrong host name) is
//   an error id (upstream traps). With no CA certificates given it trusts the system's store
//   (OpenSSL's default paths: Debian's ca-certificates; SSL_CERT_FILE or SSL_CERT_DIR in the
//   executable's environment name others) where upstream has webpki's built-in roots.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "runtime/api/networking.h"
#include "runtime/clock.h"
#include "runtime/io/io.h"
#include "runtime/io/waiter.h"
#include "lunatic/utf8.h"

namespace lunatic::rt::net {
namespace {

struct FreeSslContext {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct FreeSsl {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeX509 {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using SslContext = std::unique_ptr<SSL_CTX, FreeSslContext>;
using Ssl = std::unique_ptr<SSL, FreeSsl>;
using Bio = std::unique_ptr<BIO, FreeBio>;
using Certificate = std::unique_ptr<X509, FreeX509>;
using PrivateKey = std::unique_ptr<EVP_PKEY, FreeKey>;

// The most one tls_write_vectored hands OpenSSL: one write's bytes are copied aside while
// it waits (TlsStream::unsent), so this bounds that copy. A write may be partial: the guest
// writes the rest.
constexpr size_t kMaxWrite = 64 * 1024;

struct TlsListener final : HostSocket {
  TlsListener(int fd, SslContext server_context) : HostSocket(fd), context(std::move(server_context)) {}
  const SslContext context;  // the certificate and key; each accepted stream's SSL refers to it
};

// How much of the peer's bytes one receive takes: a whole record of the largest size.
constexpr size_t kInputBytes = 16 * 1024 + 256;
// One receive in this many that would park tries recv(2) first (TlsStream::input_was_waiting).
constexpr uint32_t kProbeEvery = 8;

struct TlsStream final : HostSocket {
  TlsStream(int fd, Ssl session) : HostSocket(fd), ssl(std::move(session)) {}
  // A last close_notify, so that the peer tells a finished stream from a cut one; the socket
  // is non-blocking, so this never waits (and it is skipped if the buffer is full).
  ~TlsStream() {
    if (SSL_is_init_finished(ssl.get())) {
      ERR_clear_error();
      SSL_shutdown(ssl.get());
      ERR_clear_error();
    }
  }

  std::mutex mutex;  // held for each SSL call and change of the input, never while a process parks
  const Ssl ssl;
  // The peer's bytes that OpenSSL has yet to read, input[input_start, input_end). A receive
  // is made only once OpenSSL has read them all, into the whole buffer, and only one at a
  // time (`receiving`): clones in other processes wait for it. The kernel may write the
  // buffer while its receiver is parked, so the buffer lives as long as the stream.
  std::unique_ptr<uint8_t[]> input = std::make_unique_for_overwrite<uint8_t[]>(kInputBytes);
  size_t input_start = 0;
  size_t input_end = 0;
  // What ended the input, once something has: the peer closed it, or a receive failed.
  bool peer_closed = false;
  int receive_errno = 0;
  bool receiving = false;
  std::vector<io::Waiter*> awaiting_input;  // each retained (io::retain) while listed
  // Whether the last receive found bytes already there (a peer that sends ahead, a server
  // that is behind): then the next one tries recv(2) before it parks. Otherwise it parks at
  // once, which in a request and its answer is what happens anyway, trying first only one
  // time in kProbeEvery to notice a change.
  bool input_was_waiting = false;
  uint32_t parked_receives = 0;
  // A write OpenSSL could not finish must be repeated with the same bytes before any other
  // write. Those bytes are kept here, not in the writer's memory, so that whichever write
  // comes next (the writer's own retry, a clone's write in another process, or a write after
  // the writer timed out or died) sends them first. Generations tell a waiting writer that
  // its bytes went.
  std::vector<uint8_t> unsent;
  uint64_t unsent_generation = 0;
  uint64_t sent_generation = 0;
};

// The BIO OpenSSL reaches a stream through (its data: the TlsStream). It runs inside SSL
// calls, so under the stream's mutex. A read takes the stream's input; with nothing left it
// asks to be retried, which SSL_get_error reports as SSL_ERROR_WANT_READ, and after the end of
// the input it answers as a socket BIO would: 0 with BIO_eof true once the peer closed, or an
// error with errno set. A write is one send(2), retried (SSL_ERROR_WANT_WRITE) if it would
// block.
int readStream(BIO* bio, char* out, size_t length, size_t* read) {
  auto& stream = *static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  size_t available = stream.input_end - stream.input_start;
  if (available == 0) {
    if (stream.receive_errno) {
      errno = stream.receive_errno;
    } else if (!stream.peer_closed) {
      BIO_set_retry_read(bio);
    }
    return 0;
  }
  *read = std::min(length, available);
  std::memcpy(out, stream.input.get() + stream.input_start, *read);
  stream.input_start += *read;
  return 1;
}

int writeStream(BIO* bio, const char* data, size_t length, size_t* written) {
  const auto& stream = *static_cast<const TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t sent = ::send(stream.fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) {
      *written = size_t(sent);
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
    return 0;
  }
}

long controlStream(BIO* bio, int command, long, void*) {
  const auto& stream = *static_cast<const TlsStream*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_PENDING: return long(stream.input_end - stream.input_start);
    case BIO_CTRL_EOF: return stream.peer_closed && stream.input_start == stream.input_end;
    case BIO_CTRL_FLUSH: return 1;
    default: return 0;  // among them kernel TLS's, which this BIO declines
  }
}

BIO_METHOD* streamMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lunatic TLS stream");
    if (made) {
      BIO_meth_set_read_ex(made, readStream);
      BIO_meth_set_write_ex(made, writeStream);
      BIO_meth_set_ctrl(made, controlStream);
      BIO_meth_set_create(made, [](BIO* bio) {
        BIO_set_init(bio, 1);
        return 1;
      });
    }
    return made;
  }();
  return method;
}

// A stream over the connected socket `fd`, for `ssl`, which reaches it through the stream's
// BIO. Null if memory ran out, and then `fd` is still the caller's.
std::shared_ptr<TlsStream> streamOver(int fd, Ssl ssl) {
  Bio bio(BIO_new(streamMethod()));
  if (!bio) return nullptr;
  auto stream = std::make_shared<TlsStream>(fd, std::move(ssl));
  BIO_set_data(bio.get(), stream.get());
  BIO* both = bio.release();
  SSL_set_bio(stream->ssl.get(), both, both);  // one reference for both directions
  return stream;
}

// What an SSL call asks next.
enum class Next : uint8_t { Done, WaitReadable, WaitWritable, Closed, Failed };

// The outcome of an SSL call that returned `result`, with the failure described in *failure.
// Call right after the SSL call, on the same thread (OpenSSL's error queue is per thread).
Next nextAfter(SSL* ssl, int result, std::string* failure) {
  if (result > 0) return Next::Done;
  int error = SSL_get_error(ssl, result);
  switch (error) {
    case SSL_ERROR_WANT_READ: return Next::WaitReadable;
    case SSL_ERROR_WANT_WRITE: return Next::WaitWritable;
    case SSL_ERROR_ZERO_RETURN: return Next::Closed;  // the peer's close_notify
    default: break;
  }
  int saved_errno = errno;
  std::string text;
  for (unsigned long code; (code = ERR_get_error()) != 0;) {
    const char* reason = ERR_reason_error_string(code);
    char buffer[256];
    if (!reason) {
      ERR_error_string_n(code, buffer, sizeof buffer);
      reason = buffer;
    }
    text += text.empty() ? "" : ": ";
    text += reason;
  }
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  if (text.empty()) {
    // SSL_ERROR_SYSCALL: the socket failed under OpenSSL.
    text = saved_errno ? std::string(strerror(saved_errno)) + " (os error " + std::to_string(saved_errno) + ")"
                       : "the connection closed in the middle of a TLS record";
  }
  *failure = "TLS: " + text;
  return Next::Failed;
}

// recv(2) of what is there, without waiting: bytes, 0 if the peer closed, or -errno
// (-EAGAIN: nothing yet).
int64_t receiveWithoutWaiting(int fd, uint8_t* into, size_t length) {
  for (;;) {
    ssize_t n = ::recv(fd, into, length, MSG_DONTWAIT);
    if (n >= 0 || errno != EINTR) return n >= 0 ? n : -errno;
  }
}

// Brings more of the peer's bytes into the stream's input, parking the process until they
// come, or, if a clone's receive is in flight, until that one ends (only clones reading at
// once, or a write's handshake beside a read, meet so); true, or false if the deadline (0:
// none) passed first. The end of the input counts as bytes: OpenSSL learns of it from the
// stream's BIO. `ahead`: called before an SSL_read rather than after it asked for more, so only
// if OpenSSL holds none of the peer's bytes either and has no handshake to make; this spares
// the SSL_read that would only find that out.
bool receiveInput(TlsStream& stream, uint64_t deadline_ns, bool ahead = false) {
  io::Waiter* self = io::currentWaiter();
  bool try_first = false;
  for (;;) {
    {
      std::lock_guard lock(stream.mutex);
      if (stream.input_start != stream.input_end || stream.peer_closed || stream.receive_errno) return true;
      if (ahead && (!SSL_is_init_finished(stream.ssl.get()) || SSL_has_pending(stream.ssl.get()))) return true;
      if (!stream.receiving) {
        stream.receiving = true;
        stream.input_start = stream.input_end = 0;
        try_first = stream.input_was_waiting || ++stream.parked_receives % kProbeEvery == 0;
        break;
      }
      if (deadline_ns && nowNanoseconds() >= deadline_ns) return false;
      if (self) {
        io::retain(*self);
        stream.awaiting_input.push_back(self);
      }
    }
    if (!self) {  // a thread outside the scheduler has no park
      std::this_thread::yield();
      continue;
    }
    io::park(*self, deadline_ns);
    {
      std::lock_guard lock(stream.mutex);
      // Still listed: not woken by the receiver, which would have taken it off.
      auto listed = std::find(stream.awaiting_input.begin(), stream.awaiting_input.end(), self);
      if (listed != stream.awaiting_input.end()) {
        stream.awaiting_input.erase(listed);
        io::release(*self);
      }
    }
    io::endIfKilled(*self);
  }
  int64_t received = try_first ? receiveWithoutWaiting(stream.fd, stream.input.get(), kInputBytes) : -EAGAIN;
  bool was_waiting = received != -EAGAIN;
  if (!was_waiting) received = io::receiveOnEngine(stream.fd, {stream.input.get(), kInputBytes}, deadline_ns);
  {
    std::vector<io::Waiter*> woken;
    {
      std::lock_guard lock(stream.mutex);
      stream.receiving = false;
      stream.input_was_waiting = was_waiting;
      if (received > 0) {
        stream.input_end = size_t(received);
      } else if (received == 0) {
        stream.peer_closed = true;
      } else if (received != -ETIMEDOUT) {
        stream.receive_errno = int(-received);
      }
      woken.swap(stream.awaiting_input);
    }
    for (io::Waiter* waiter : woken) {
      io::wake(*waiter);
      io::release(*waiter);
    }
  }
  // What landed is the stream's now, for its clones: only now may a killed process end.
  if (self) io::endIfKilled(*self);
  return received != -ETIMEDOUT;
}

// Parks the process until OpenSSL can go on as `next` (WaitReadable or WaitWritable) asks:
// more input, or a writable socket; false if the deadline (0: none) passed first.
bool waitFor(TlsStream& stream, Next next, uint64_t deadline_ns) {
  if (next == Next::WaitReadable) return receiveInput(stream, deadline_ns);
  return io::waitReady(stream.fd, POLLOUT, deadline_ns);
}

// The result of driving an SSL call to its end: > 0 (the call's result), 0 (the peer closed
// the stream), -ETIMEDOUT (the deadline passed), or -EPROTO with *failure.
int64_t drive(TlsStream& stream, uint64_t deadline_ns, std::string* failure, const auto& call) {
  for (;;) {
    Next next;
    int result;
    {
      std::lock_guard lock(stream.mutex);
      ERR_clear_error();
      result = call();
      next = nextAfter(stream.ssl.get(), result, failure);
    }
    switch (next) {
      case Next::Done: return result;
      case Next::Closed: return 0;
      case Next::Failed: return -EPROTO;
      case Next::WaitReadable:
      case Next::WaitWritable:
        if (!waitFor(stream, next, deadline_ns)) return -ETIMEDOUT;
    }
  }
}

// Sends `length` (up to kMaxWrite) bytes: `length`, or as drive. Bytes a timed-out write
// left with OpenSSL go out first (TlsStream::unsent); `length` 0 sends only those (a flush).
int64_t writeToStream(TlsStream& stream, const uint8_t* data, size_t length, uint64_t deadline_ns,
                      std::string* failure) {
  uint64_t mine = 0;  // the generation of our bytes once they wait in `unsent`
  for (;;) {
    Next next;
    {
      std::lock_guard lock(stream.mutex);
      if (mine && stream.sent_generation >= mine) return int64_t(length);
      ERR_clear_error();
      int result;
      if (!stream.unsent.empty()) {
        result = SSL_write(stream.ssl.get(), stream.unsent.data(), int(stream.unsent.size()));
        if (result > 0) {
          stream.unsent.clear();
          stream.sent_generation = stream.unsent_generation;
          continue;
        }
      } else {
        if (length == 0) return 0;
        result = SSL_write(stream.ssl.get(), data, int(length));
        if (result > 0) return result;
      }
      next = nextAfter(stream.ssl.get(), result, failure);
      if (stream.unsent.empty() && (next == Next::WaitReadable || next == Next::WaitWritable)) {
        stream.unsent.assign(data, data + length);
        mine = ++stream.unsent_generation;
      }
    }
    switch (next) {
      case Next::Done:
      case Next::Closed: return -EPIPE;  // SSL_write never ends so
      case Next::Failed: return -EPROTO;
      case Next::WaitReadable:
      case Next::WaitWritable:
        if (!waitFor(stream, next, deadline_ns)) return -ETIMEDOUT;
    }
  }
}

// Stores a transfer's result as upstream: 0 and the count through `opaque_ptr`, 1 and an
// error id (a TLS failure's or the system call's), 9027.
uint32_t tlsResult(lunatic_instance* self, const char* function, uint32_t opaque_ptr, int64_t result,
                   uint64_t deadline_ns, const std::string& failure) {
  if (result == -EPROTO && !failure.empty()) {
    storeResult(self, function, opaque_ptr, api::newError(api::callerOf(self), failure));
    return 1;
  }
  return transferResult(self, function, opaque_ptr, result, deadline_ns);
}

// The process's TLS stream `id`, or the process fails.
TlsStream& tlsStreamOf(lunatic_instance* self, uint64_t id, const char* function) {
  return static_cast<TlsStream&>(socketIn(self, &Resources::tls_streams, id, function, "TLS stream"));
}

// What OpenSSL last said went wrong, for an error message.
std::string sslReason() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason ? reason : "no PEM data";
}

// Settings both sides share: TLS 1.2 at least; a write that waited may be repeated from
// another buffer (TlsStream::unsent); and read-ahead, so that OpenSSL takes all of the
// stream's input at once, not a record's header and then the rest. Bytes read ahead wait in
// OpenSSL, which is why every read calls SSL_read before it waits.
void configure(SSL_CTX* context) {
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_read_ahead(context, 1);
  SSL_CTX_set_mode(context, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

// A server context of a PEM certificate chain and a PEM private key, or null and why.
SslContext serverContext(std::string_view chain_pem, std::string_view key_pem, std::string* why) {
  ERR_clear_error();
  SslContext context(SSL_CTX_new(TLS_server_method()));
  if (!context) {
    *why = "cannot make a TLS context: " + sslReason();
    return nullptr;
  }
  configure(context.get());
  Bio chain(BIO_new_mem_buf(chain_pem.data(), int(chain_pem.size())));
  Certificate leaf(chain ? PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!leaf || SSL_CTX_use_certificate(context.get(), leaf.get()) != 1) {
    *why = "the certificate is not a PEM certificate: " + sslReason();
    return nullptr;
  }
  // Intermediates after the leaf, sent with it.
  while (Certificate next{PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)}) {
    if (SSL_CTX_add0_chain_cert(context.get(), next.get()) != 1) {
      *why = "cannot use the certificate chain: " + sslReason();
      return nullptr;
    }
    (void)next.release();  // the context owns it now
  }
  ERR_clear_error();  // the end of the chain reads as an error
  Bio key_bio(BIO_new_mem_buf(key_pem.data(), int(key_pem.size())));
  PrivateKey key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    *why = "the key is not a PEM private key: " + sslReason();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey(context.get(), key.get()) != 1 || SSL_CTX_check_private_key(context.get()) != 1) {
    *why = "the key does not match the certificate: " + sslReason();
    return nullptr;
  }
  return context;
}

// The client context that trusts the system's CA store, made on first use: reading the
// store once serves every connection.
SSL_CTX* systemClientContext() {
  static SSL_CTX* const context = [] {
    SSL_CTX* made = SSL_CTX_new(TLS_client_method());
    if (made) {
      configure(made);
      SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_default_verify_paths(made);
    }
    ERR_clear_error();
    return made;
  }();
  return context;
}

// A client context that trusts the PEM certificates of the guest's ciovecs (already checked
// to be in memory), or null and why.
SslContext guestClientContext(const GuestMemory& memory, const uint8_t* ciovecs, uint32_t count, std::string* why) {
  ERR_clear_error();
  SslContext context(SSL_CTX_new(TLS_client_method()));
  if (!context) {
    *why = "cannot make a TLS context: " + sslReason();
    return nullptr;
  }
  configure(context.get());
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  X509_STORE* store = SSL_CTX_get_cert_store(context.get());
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t pointer, length;
    std::memcpy(&pointer, ciovecs + 8 * k, 4);
    std::memcpy(&length, ciovecs + 8 * k + 4, 4);
    Bio pem(BIO_new_mem_buf(memory.at(pointer, length), int(length)));
    Certificate certificate(pem ? PEM_read_bio_X509(pem.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate || X509_STORE_add_cert(store, certificate.get()) != 1) {
      *why = "CA certificate " + std::to_string(k) + " is not a PEM certificate: " + sslReason();
      return nullptr;
    }
  }
  return context;
}

// A client session for `host`: SNI and a check of the certificate's name (or IP
// address, for a numeric host).
Ssl clientSession(SSL_CTX* context, const std::string& host) {
  Ssl ssl(SSL_new(context));
  if (!ssl) return nullptr;
  in6_addr numeric;
  if (inet_pton(AF_INET, host.c_str(), &numeric) == 1 || inet_pton(AF_INET6, host.c_str(), &numeric) == 1) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
    SSL_set1_host(ssl.get(), host.c_str());
  }
  SSL_set_connect_state(ssl.get());
  return ssl;
}

// --- The functions ----------------------------------------------------------------------

uint32_t tls_bind(lunatic_instance* self, uint32_t type, uint32_t address_ptr, uint32_t port, uint32_t flow_info,
                  uint32_t scope_id, uint32_t id_ptr, uint32_t cert_ptr, uint32_t cert_len, uint32_t key_ptr,
                  uint32_t key_len) {
  GuestMemory memory(self);
  std::string_view chain_pem, key_pem;
  if (!memory.view(cert_ptr, cert_len, &chain_pem) || !memory.view(key_ptr, key_len, &key_pem) ||
      !memory.at(id_ptr, 8)) {
    fail(self, "tls_bind", "a pointer is outside the process's memory");
  }
  sockaddr_storage address;
  socklen_t length = decodeAddress(self, "tls_bind", {type, address_ptr, port, flow_info, scope_id}, &address);
  if (!permitted(self, Permission::Listen, "tls_bind", id_ptr)) return 1;
  Process& p = api::callerOf(self);
  std::string why;
  SslContext context = serverContext(chain_pem, key_pem, &why);
  if (!context) {
    memory.store64(id_ptr, api::newError(p, "tls_bind: " + why));
    return 1;
  }
  int fd = openBound(address, length, SOCK_STREAM);
  if (fd < 0) {
    memory.store64(id_ptr, newOsError(p, fd));
    return 1;
  }
  memory.store64(id_ptr,
                 addSocket(p, &Resources::tls_listeners, std::make_shared<TlsListener>(fd, std::move(context))));
  return 0;
}

TlsListener& tlsListenerOf(lunatic_instance* self, uint64_t id, const char* function) {
  return static_cast<TlsListener&>(socketIn(self, &Resources::tls_listeners, id, function, "TLS listener"));
}

void drop_tls_listener(lunatic_instance* self, uint64_t id) {
  dropFrom(self, &Resources::tls_listeners, id, "drop_tls_listener", "TLS listener");
}

uint32_t tls_local_addr(lunatic_instance* self, uint64_t id, uint32_t id_ptr) {
  return addressOf(self, "tls_local_addr", tlsListenerOf(self, id, "tls_local_addr").fd, Side::Local, id_ptr);
}

uint32_t tls_accept(lunatic_instance* self, uint64_t listener_id, uint32_t id_ptr, uint32_t peer_ptr) {
  TlsListener& listener = tlsListenerOf(self, listener_id, "tls_accept");
  SSL_CTX* context = listener.context.get();
  return acceptInto(self, "tls_accept", listener.fd, &Resources::tls_streams,
                    [context](int fd) -> SharedSocket {
                      Ssl ssl(SSL_new(context));
                      if (!ssl) return nullptr;
                      SSL_set_accept_state(ssl.get());  // the handshake comes with the first read or write
                      return streamOver(fd, std::move(ssl));
                    },
                    id_ptr, peer_ptr);
}

uint32_t tls_connect(lunatic_instance* self, uint32_t host_ptr, uint32_t host_len, uint32_t port, uint64_t timeout_ms,
                     uint32_t id_ptr, uint32_t ca_ptr, uint32_t ca_count) {
  GuestMemory memory(self);
  std::string_view host_view;
  const uint8_t* ciovecs = memory.at(ca_ptr, uint64_t(ca_count) * 8);
  if (!memory.view(host_ptr, host_len, &host_view) || !memory.at(id_ptr, 8) || !ciovecs) {
    fail(self, "tls_connect", "a pointer is outside the process's memory");
  }
  for (uint32_t k = 0; k < ca_count; ++k) {
    uint32_t pointer, length;
    std::memcpy(&pointer, ciovecs + 8 * k, 4);
    std::memcpy(&length, ciovecs + 8 * k + 4, 4);
    if (!memory.at(pointer, length)) fail(self, "tls_connect", "a CA certificate is outside the process's memory");
  }
  if (!isValidUtf8(host_view)) fail(self, "tls_connect", "the host name is not UTF-8");
  if (port > UINT16_MAX) fail(self, "tls_connect", "invalid port " + std::to_string(port));
  if (!permitted(self, Permission::Connect, "tls_connect", id_ptr)) return 1;
  Process& p = api::callerOf(self);
  if (host_view.empty() || host_view.find('\0') != std::string_view::npos) {
    memory.store64(id_ptr, api::newError(p, "tls_connect: invalid host name"));
    return 1;
  }
  // The context, before anything waits: the guest's CA certificates are read now. Each
  // attempt's SSL holds a reference to it, and the stream in Resources::connecting holds the
  // SSL, so nothing on this frame owns memory while the process parks.
  std::string why;
  SslContext own_context;
  if (ca_count) {
    own_context = guestClientContext(memory, ciovecs, ca_count, &why);
    if (!own_context) {
      memory.store64(id_ptr, api::newError(p, "tls_connect: " + why));
      return 1;
    }
  }
  SSL_CTX* context = own_context ? own_context.get() : systemClientContext();
  if (!context) {
    memory.store64(id_ptr, api::newError(p, "tls_connect: cannot make a TLS context"));
    return 1;
  }
  Resources& r = resourcesOf(p);
  Ssl holder(SSL_new(context));
  if (!holder) {
    memory.store64(id_ptr, newOsError(p, -ENOMEM));
    return 1;
  }
  r.connecting = std::make_shared<TlsStream>(-1, std::move(holder));  // holds the context
  own_context.reset();

  uint64_t deadline = deadlineAfter(timeout_ms);
  uint64_t error_id = 0;
  switch (lookUp(p, host_view, uint16_t(port), deadline, &error_id)) {
    case LookupOutcome::TimedOut:
      r.connecting.reset();
      return kTimedOut;
    case LookupOutcome::Failed:
      r.connecting.reset();
      memory.store64(id_ptr, error_id);
      return 1;
    case LookupOutcome::Done:
      break;
  }
  // As upstream (Rust's TcpStream::connect): each address in turn until one accepts.
  int64_t status = -ECONNREFUSED;
  for (size_t k = 0; k < r.resolved.size(); ++k) {
    sockaddr_storage address = r.resolved[k];
    int fd = newSocket(address, SOCK_STREAM);
    if (fd < 0) {
      status = fd;
      continue;
    }
    SSL_CTX* held = SSL_get_SSL_CTX(static_cast<TlsStream&>(*r.connecting).ssl.get());
    Ssl ssl = clientSession(held, std::string(host_view));
    SharedSocket attempt = ssl ? streamOver(fd, std::move(ssl)) : nullptr;
    if (!attempt) {
      ::close(fd);
      status = -ENOMEM;
      continue;
    }
    r.connecting = std::move(attempt);
    socklen_t length = address.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    status = io::connect(fd, reinterpret_cast<const sockaddr*>(&address), length, deadline);
    if (status == 0 || status == -ETIMEDOUT) break;
  }
  r.resolved.clear();
  if (status == 0) {
    auto& stream = static_cast<TlsStream&>(*r.connecting);
    status = drive(stream, deadline, &why, [&] { return SSL_do_handshake(stream.ssl.get()); });
    if (status == 0) why = "TLS: the peer closed the connection during the handshake";
  }
  SharedSocket stream = std::move(r.connecting);
  if (status == -ETIMEDOUT && deadline) return kTimedOut;
  if (status <= 0) {
    memory.store64(id_ptr, why.empty() ? newOsError(p, status) : api::newError(p, "tls_connect: " + why));
    return 1;
  }
  memory.store64(id_ptr, addSocket(p, &Resources::tls_streams, std::move(stream)));
  return 0;
}

void drop_tls_stream(lunatic_instance* self, uint64_t id) {
  dropFrom(self, &Resources::tls_streams, id, "drop_tls_stream", "TLS stream");
}

uint64_t clone_tls_stream(lunatic_instance* self, uint64_t id) {
  return cloneIn(self, &Resources::tls_streams, id, "clone_tls_stream", "TLS stream");
}

uint32_t tls_write_vectored(lunatic_instance* self, uint64_t id, uint32_t ciovecs_ptr, uint32_t count,
                            uint32_t opaque_ptr) {
  TlsStream& stream = tlsStreamOf(self, id, "tls_write_vectored");
  if (!GuestMemory(self).at(opaque_ptr, 8)) fail(self, "tls_write_vectored", "a pointer is outside the process's memory");
  // The first buffer, as Rust's default write_vectored: the guest writes the rest.
  iovec first;
  if (gatherBuffers(self, "tls_write_vectored", ciovecs_ptr, count, &first, 1) == 0) {
    storeResult(self, "tls_write_vectored", opaque_ptr, 0);
    return 0;
  }
  uint64_t deadline = deadlineAfter(stream.write_timeout_ms.load(std::memory_order_relaxed));
  std::string failure;
  int64_t sent = writeToStream(stream, static_cast<const uint8_t*>(first.iov_base),
                               std::min(first.iov_len, kMaxWrite), deadline, &failure);
  return tlsResult(self, "tls_write_vectored", opaque_ptr, sent, deadline, failure);
}

uint32_t tls_read(lunatic_instance* self, uint64_t id, uint32_t buffer_ptr, uint32_t length, uint32_t opaque_ptr) {
  TlsStream& stream = tlsStreamOf(self, id, "tls_read");
  GuestMemory memory(self);
  uint8_t* buffer = memory.at(buffer_ptr, length);
  if (!buffer || !memory.at(opaque_ptr, 8)) fail(self, "tls_read", "a pointer is outside the process's memory");
  if (length == 0) {
    memory.store64(opaque_ptr, 0);
    return 0;
  }
  uint64_t deadline = deadlineAfter(stream.read_timeout_ms.load(std::memory_order_relaxed));
  std::string failure;
  if (!receiveInput(stream, deadline, /*ahead=*/true)) return tlsResult(self, "tls_read", opaque_ptr, -ETIMEDOUT, deadline, failure);
  int64_t got = drive(stream, deadline, &failure, [&] { return SSL_read(stream.ssl.get(), buffer, int(length)); });
  return tlsResult(self, "tls_read", opaque_ptr, got, deadline, failure);
}

// The timeouts: the stream's, shared by its clones, as tcp's.
void set_tls_read_timeout(lunatic_instance* self, uint64_t id, uint64_t ms) {
  tlsStreamOf(self, id, "set_tls_read_timeout").read_timeout_ms.store(ms, std::memory_order_relaxed);
}
void set_tls_write_timeout(lunatic_instance* self, uint64_t id, uint64_t ms) {
  tlsStreamOf(self, id, "set_tls_write_timeout").write_timeout_ms.store(ms, std::memory_order_relaxed);
}
uint64_t get_tls_read_timeout(lunatic_instance* self, uint64_t id) {
  return tlsStreamOf(self, id, "get_tls_read_timeout").read_timeout_ms.load(std::memory_order_relaxed);
}
uint64_t get_tls_write_timeout(lunatic_instance* self, uint64_t id) {
  return tlsStreamOf(self, id, "get_tls_write_timeout").write_timeout_ms.load(std::memory_order_relaxed);
}

// Sends what a timed-out write left with OpenSSL (TlsStream::unsent), waiting up to the write
// timeout: 0; 1 and an error id (upstream's flush has no timeout result).
uint32_t tls_flush(lunatic_instance* self, uint64_t id, uint32_t error_id_ptr) {
  TlsStream& stream = tlsStreamOf(self, id, "tls_flush");
  if (!GuestMemory(self).at(error_id_ptr, 8)) fail(self, "tls_flush", "a pointer is outside the process's memory");
  uint64_t deadline = deadlineAfter(stream.write_timeout_ms.load(std::memory_order_relaxed));
  std::string failure;
  int64_t result = writeToStream(stream, nullptr, 0, deadline, &failure);
  if (result == -ETIMEDOUT) {
    failure = "TLS: the flush timed out";
    result = -EPROTO;
  }
  return tlsResult(self, "tls_flush", error_id_ptr, result, deadline, failure);
}

}  // namespace
}  // namespace lunatic::rt::net

LUNATIC_HOST_CODE(networking, tls_bind, net::tls_bind);
LUNATIC_HOST_CODE(networking, drop_tls_listener, net::drop_tls_listener);
LUNATIC_HOST_CODE(networking, tls_local_addr, net::tls_local_addr);
LUNATIC_HOST_CODE(networking, tls_accept, net::tls_accept);
LUNATIC_HOST_CODE(networking, tls_connect, net::tls_connect);
LUNATIC_HOST_CODE(networking, drop_tls_stream, net::drop_tls_stream);
LUNATIC_HOST_CODE(networking, clone_tls_stream, net::clone_tls_stream);
LUNATIC_HOST_CODE(networking, tls_write_vectored, net::tls_write_vectored);
LUNATIC_HOST_CODE(networking, tls_read, net::tls_read);
LUNATIC_HOST_CODE(networking, set_tls_read_timeout, net::set_tls_read_timeout);
LUNATIC_HOST_CODE(networking, set_tls_write_timeout, net::set_tls_write_timeout);
LUNATIC_HOST_CODE(networking, get_tls_read_timeout, net::get_tls_read_timeout);
LUNATIC_HOST_CODE(networking, get_tls_write_timeout, net::get_tls_write_timeout);
LUNATIC_HOST_CODE(networking, tls_flush, net::tls_flush);
