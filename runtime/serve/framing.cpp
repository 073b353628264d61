// Strict request framing (framing.h), byte by byte as RFC 9112 writes it.
#include "runtime/serve/framing.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace lunatic::rt::serve {
namespace {

// tchar (RFC 9110 5.6.2): what a field name is made of. A table, as every byte of every
// name is looked up.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool isTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isControl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }

}  // namespace

// Runs of bytes that change no state (a payload, a line's content, a field name's token
// characters) are stepped over here at once; take() sees only the bytes that end them.
size_t RequestFraming::accept(const char* data, size_t size) {
  size_t taken = 0;
  while (taken < size) {
    switch (state_) {
      case State::Body:
      case State::ChunkData: {  // the payload, whatever it holds
        size_t n = size_t(std::min<uint64_t>(remaining_, size - taken));
        taken += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = state_ == State::Body ? State::Done : State::ChunkDataCR;
        continue;
      }
      case State::RequestLine:
      case State::FieldValue: {  // up to the CR, or the bare LF before it that take() refuses
        const char* line = data + taken;
        const void* cr = std::memchr(line, '\r', size - taken);
        size_t length = cr ? size_t(static_cast<const char*>(cr) - line) : size - taken;
        const void* lf = std::memchr(line, '\n', length);
        taken += lf ? size_t(static_cast<const char*>(lf) - line) : length;
        break;
      }
      case State::FieldName:  // up to the colon, or what take() refuses
        while (taken < size && isTokenChar(data[taken])) ++taken;
        break;
      default:
        break;
    }
    if (taken == size || !take(data[taken])) break;
    ++taken;
  }
  return failed() ? 0 : taken;
}

bool RequestFraming::take(char c) {
  auto fail = [this] {
    state_ = State::Failed;
    return false;
  };
  switch (state_) {
    case State::LineStart:
      if (c == '\r') {
        line_empty_ = true;
        state_ = State::LineFeed;
      } else if (section_ == Section::Head && !request_line_seen_) {
        if (c == '\n') return fail();
        line_empty_ = false;
        state_ = State::RequestLine;
      } else if (isTokenChar(c)) {  // not SP or HTAB: no obs-fold, nothing before the first field
        line_empty_ = false;
        state_ = State::FieldName;
      } else {
        return fail();
      }
      return true;
    case State::RequestLine:
    case State::FieldValue:  // the parser checks the characters; here only where lines end
      if (c == '\n') return fail();
      if (c == '\r') state_ = State::LineFeed;
      return true;
    case State::FieldName:  // no whitespace inside the name or before its colon
      if (c == ':') {
        state_ = State::FieldValue;
        return true;
      }
      return isTokenChar(c) || fail();
    case State::LineFeed:
      return c == '\n' ? endLine() : fail();
    case State::ChunkSize:
      if (int digit = hexValue(c); digit >= 0) {
        if (remaining_ >> 60) return fail();  // more than 2^64 bytes
        remaining_ = remaining_ * 16 + uint64_t(digit);
        ++chunk_digits_;
        return true;
      }
      if (chunk_digits_ == 0) return fail();
      if (c == '\r') state_ = State::ChunkSizeFeed;
      else if (c == ' ' || c == '\t') state_ = State::ChunkSpace;
      else if (c == ';') state_ = State::ChunkExtension;
      else return fail();
      return true;
    case State::ChunkSpace:  // BWS, which only a chunk extension may follow
      if (c == ';') state_ = State::ChunkExtension;
      else if (c != ' ' && c != '\t') return fail();
      return true;
    case State::ChunkExtension:
      if (c == '\r') state_ = State::ChunkSizeFeed;
      else if (isControl(c)) return fail();
      return true;
    case State::ChunkSizeFeed:
      if (c != '\n') return fail();
      if (remaining_ == 0) {  // the last chunk: trailer fields follow, then an empty line
        section_ = Section::Trailers;
        state_ = State::LineStart;
      } else {
        state_ = State::ChunkData;
      }
      return true;
    case State::ChunkDataCR:
      if (c != '\r') return fail();
      state_ = State::ChunkDataLF;
      return true;
    case State::ChunkDataLF:
      if (c != '\n') return fail();
      state_ = State::ChunkSize;
      chunk_digits_ = 0;
      return true;
    case State::HeadEnd:
    case State::Done:
    case State::Failed:
      return false;
    case State::Body:
    case State::ChunkData:
      break;  // taken whole by accept
  }
  return fail();
}

bool RequestFraming::endLine() {
  state_ = State::LineStart;
  if (!line_empty_) {
    request_line_seen_ = true;
  } else if (section_ == Section::Trailers) {
    state_ = State::Done;
  } else if (request_line_seen_) {
    state_ = State::HeadEnd;
  }  // else an empty line before the request line, which a server ignores (RFC 9112 2.2)
  return true;
}

void RequestFraming::startBody(bool chunked, uint64_t content_length) {
  if (state_ != State::HeadEnd) {  // the parser saw the head end elsewhere
    state_ = State::Failed;
    return;
  }
  remaining_ = 0;
  chunk_digits_ = 0;
  if (chunked) {
    state_ = State::ChunkSize;
  } else if (content_length != UINT64_MAX && content_length > 0) {
    state_ = State::Body;
    remaining_ = content_length;
  } else {
    state_ = State::Done;
  }
}

void RequestFraming::nextMessage() {
  state_ = State::LineStart;
  section_ = Section::Head;
  request_line_seen_ = false;
  line_empty_ = true;
}

}  // namespace lunatic::rt::serve
