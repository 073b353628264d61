// What crosses the wire between nodes (docs/abi.md, "Erlang distribution"): Erlang terms in
// the external term format, written and read with ei. Every process, ours or Erlang's, is
// an Erlang pid {Node, Num, Serial, Creation}, and lunatic::distributed names it by the
// pair (node id, process id): the node id is a hash of the node's name, the same on every
// node, and the process id is Serial << 32 | Num. Our process n is {OurNode, n & 0xffffffff,
// n >> 32, OurCreation}.
#pragma once

#include <ei.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lunatic::rt::distributed {

using NodeId = uint64_t;
using ProcessId = uint64_t;

// The id every node gives the node `name` (never 0, the id outside a cluster).
NodeId nodeIdOf(std::string_view name);

inline ProcessId processIdOf(const erlang_pid& pid) { return uint64_t(pid.serial) << 32 | pid.num; }
erlang_pid pidOf(std::string_view node, unsigned creation, ProcessId process);

// A node's name as an encoded atom, made once: the way of every message encodes two pids,
// and ei re-encodes their node names character by character each time.
std::string encodedAtom(std::string_view name);
// Appends process `process`'s pid on the node whose encodedAtom is `node_atom` (NEW_PID_EXT,
// as ei_encode_pid writes it).
void appendPid(std::string* out, std::string_view node_atom, unsigned creation, ProcessId process);

// An encoded term under construction (a version byte first), freed with it.
class Term {
 public:
  Term() { ei_x_new_with_version(&x_); }
  ~Term() { ei_x_free(&x_); }
  Term(const Term&) = delete;
  Term& operator=(const Term&) = delete;

  Term& tuple(long arity) { return ok(ei_x_encode_tuple_header(&x_, arity)); }
  Term& atom(const char* name) { return ok(ei_x_encode_atom(&x_, name)); }
  Term& integer(int64_t value) { return ok(ei_x_encode_longlong(&x_, value)); }
  Term& unsignedInteger(uint64_t value) { return ok(ei_x_encode_ulonglong(&x_, value)); }
  Term& binary(std::string_view bytes) { return ok(ei_x_encode_binary(&x_, bytes.data(), int(bytes.size()))); }
  Term& pid(const erlang_pid& pid) { return ok(ei_x_encode_pid(&x_, &pid)); }
  Term& list(long length) { return ok(ei_x_encode_list_header(&x_, length)); }
  Term& endList() { return ok(ei_x_encode_empty_list(&x_)); }

  std::string bytes() const { return std::string(x_.buff, size_t(x_.index)); }

 private:
  // ei's encoders fail only when out of memory, which ends the runtime anyway (allocation.h).
  Term& ok(int) { return *this; }
  ei_x_buff x_;
};

// A cursor over a received term; every read checks its type and says false if it is not one.
class TermReader {
 public:
  TermReader(const char* buffer, int index) : buffer_(buffer), index_(index) {}
  bool tuple(int* arity) { return ei_decode_tuple_header(buffer_, &index_, arity) == 0; }
  bool list(int* length) { return ei_decode_list_header(buffer_, &index_, length) == 0; }
  bool atom(std::string* name);
  bool integer(int64_t* value);
  bool unsignedInteger(uint64_t* value);
  bool binary(std::string* bytes);
  bool binary(std::vector<uint8_t>* bytes);
  bool pid(erlang_pid* pid) { return ei_decode_pid(buffer_, &index_, pid) == 0; }
  bool skip() { return ei_skip_term(buffer_, &index_) == 0; }
  // Whether the next term is a pid (a message's optional reply-to).
  bool atPid() const;

 private:
  bool binarySize(long* size);
  const char* buffer_;
  int index_;
};

}  // namespace lunatic::rt::distributed
