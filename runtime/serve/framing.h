// The framing of HTTP/1.1 requests, checked strictly (RFC 9112) before http_parser reads
// them. Debian builds http_parser lenient (HTTP_PARSER_STRICT=0): it takes a bare LF for a
// line end, spaces inside and after a header name ("Transfer-Encoding : chunked" counts as
// Transfer-Encoding), obs-fold continuation lines, any two bytes after a chunk's data, and a
// LF inside a chunk extension. A proxy in front of the server may read such a request
// differently, and the difference is where request smuggling lives, so a request with any
// of them gets 400 instead.
//
// The check runs in step with the parser over the same bytes: it vouches for a prefix of
// what has arrived, and the parser is given only that prefix. It stops at the end of a
// head until the parser has read the head and says how the body is framed (startBody), and
// after the body until the next message starts (nextMessage).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::rt::serve {

class RequestFraming {
 public:
  // Takes the next bytes of the connection; returns how many of them are well framed and
  // may go to the parser (fewer than `size` when it must wait for startBody or nextMessage,
  // or failed() if they are not).
  size_t accept(const char* data, size_t size);
  bool failed() const { return state_ == State::Failed; }
  // Whether the whole message, head and body, has been taken.
  bool done() const { return state_ == State::Done; }

  // After the parser read the head: the body is chunked, `content_length` bytes long
  // (UINT64_MAX: no Content-Length, so none), or absent.
  void startBody(bool chunked, uint64_t content_length);
  // After the parser finished the message: the next one starts.
  void nextMessage();

 private:
  enum class State : uint8_t {
    LineStart,     // at the start of a head or trailer line
    RequestLine,   // in the request line
    FieldName,     // in a field name, before its colon
    FieldValue,    // after the colon, until the line's CR
    LineFeed,      // after a line's CR: its LF
    HeadEnd,       // the head is taken; waiting for startBody
    Body,          // in a Content-Length body
    ChunkSize,     // in a chunk-size's hex digits
    ChunkSpace,    // whitespace after the size: only a chunk extension may follow
    ChunkExtension,
    ChunkSizeFeed, // after the chunk line's CR: its LF
    ChunkData,
    ChunkDataCR,   // the CR LF after a chunk's data
    ChunkDataLF,
    Done,
    Failed,
  };
  // Which lines are being read, and so what an empty one means.
  enum class Section : uint8_t { Head, Trailers };

  [[gnu::always_inline]] inline bool take(char c);  // false when `c` cannot go to the parser yet (or failed)
  bool endLine();

  State state_ = State::LineStart;
  Section section_ = Section::Head;
  bool request_line_seen_ = false;
  bool line_empty_ = true;
  int chunk_digits_ = 0;
  uint64_t remaining_ = 0;  // of the body or the chunk's data
};

}  // namespace lunatic::rt::serve
