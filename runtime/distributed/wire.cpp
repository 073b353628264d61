// Pids, node ids and terms on the wire (wire.h).
#include "runtime/distributed/wire.h"

#include <cstring>

namespace lunatic::rt::distributed {

// FNV-1a: every node computes the same id from a name, with nothing to agree on; 64 bits
// make a collision among a cluster's nodes vanishingly unlikely.
NodeId nodeIdOf(std::string_view name) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash == 0 ? 1 : hash;
}

erlang_pid pidOf(std::string_view node, unsigned creation, ProcessId process) {
  erlang_pid pid{};
  std::memcpy(pid.node, node.data(), std::min(node.size(), sizeof(pid.node) - 1));
  pid.num = unsigned(process & 0xffffffffu);
  pid.serial = unsigned(process >> 32);
  pid.creation = creation;
  return pid;
}

std::string encodedAtom(std::string_view name) {
  std::string atom(std::min(name.size(), size_t(MAXATOMLEN)), '\0');
  std::memcpy(atom.data(), name.data(), atom.size());
  char buffer[MAXATOMLEN_UTF8 + 8];
  int index = 0;
  ei_encode_atom(buffer, &index, atom.c_str());
  return std::string(buffer, size_t(index));
}

void appendPid(std::string* out, std::string_view node_atom, unsigned creation, ProcessId process) {
  auto put32 = [&](uint32_t value) {
    const char bytes[4] = {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
    out->append(bytes, 4);
  };
  out->push_back(char(ERL_NEW_PID_EXT));
  out->append(node_atom);
  put32(uint32_t(process & 0xffffffffu));
  put32(uint32_t(process >> 32));
  put32(creation);
}

bool TermReader::atom(std::string* name) {
  char text[MAXATOMLEN_UTF8];
  if (ei_decode_atom(buffer_, &index_, text) != 0) return false;
  *name = text;
  return true;
}

bool TermReader::integer(int64_t* value) {
  long long v;
  if (ei_decode_longlong(buffer_, &index_, &v) != 0) return false;
  *value = v;
  return true;
}

bool TermReader::unsignedInteger(uint64_t* value) {
  unsigned long long v;
  if (ei_decode_ulonglong(buffer_, &index_, &v) != 0) return false;
  *value = v;
  return true;
}

bool TermReader::binarySize(long* size) {
  int type = 0, length = 0;
  if (ei_get_type(buffer_, &index_, &type, &length) != 0 || type != ERL_BINARY_EXT) return false;
  *size = length;
  return true;
}

bool TermReader::binary(std::string* bytes) {
  long size = 0;
  if (!binarySize(&size)) return false;
  bytes->resize(size_t(size));
  return ei_decode_binary(buffer_, &index_, bytes->data(), &size) == 0;
}

bool TermReader::binary(std::vector<uint8_t>* bytes) {
  long size = 0;
  if (!binarySize(&size)) return false;
  bytes->resize(size_t(size));
  return ei_decode_binary(buffer_, &index_, bytes->data(), &size) == 0;
}

bool TermReader::atPid() const {
  int type = 0, length = 0, index = index_;
  return ei_get_type(buffer_, &index, &type, &length) == 0 && (type == ERL_PID_EXT || type == ERL_NEW_PID_EXT);
}

}  // namespace lunatic::rt::distributed
