// CGI environments and header blocks (cgi.h).
#include "runtime/serve/cgi.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include <http_parser.h>

namespace lunatic::rt::serve {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %-decodes a path; false on a bad escape or a NUL.
bool percentDecode(std::string_view encoded, std::string* decoded) {
  decoded->clear();
  decoded->reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%') {
      if (i + 2 >= encoded.size()) return false;
      int high = hexValue(encoded[i + 1]), low = hexValue(encoded[i + 2]);
      if (high < 0 || low < 0) return false;
      c = char(high * 16 + low);
      i += 2;
    }
    if (c == '\0') return false;
    decoded->push_back(c);
  }
  return true;
}

void add(std::vector<std::string>* environment, std::string_view key, std::string_view value) {
  std::string& entry = environment->emplace_back();
  entry.reserve(key.size() + 1 + value.size());
  entry.append(key).push_back('=');
  entry.append(value);
}

// "HTTP_" and the header's name in upper case with '-' as '_'.
std::string cgiHeaderName(std::string_view name) {
  std::string key = "HTTP_";
  for (char c : name) key.push_back(c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c))));
  return key;
}

// The Host header without its port, or "" if there is none.
std::string_view hostName(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (!equalsIgnoringCase(name, "Host")) continue;
    std::string_view host = value;
    if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);  // [v6]:port
    return host.substr(0, host.find(':'));
  }
  return {};
}

}  // namespace

bool appendCgiEnvironment(const HttpRequest& request, const Endpoints& endpoints,
                          std::vector<std::string>* environment) {
  http_parser_url url;
  http_parser_url_init(&url);
  std::string_view target = request.target;
  std::string_view path = target, query;
  if (http_parser_parse_url(target.data(), target.size(), request.method == "CONNECT", &url) == 0) {
    path = (url.field_set & (1 << UF_PATH)) ? target.substr(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len)
                                           : std::string_view("/");
    if (url.field_set & (1 << UF_QUERY)) query = target.substr(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
  }
  std::string path_info;
  if (!percentDecode(path, &path_info)) return false;

  std::string_view server_name = hostName(request.headers);
  // Room at once for the 12 variables below, one per header at most and CONTENT_LENGTH,
  // rather than moving every string each time the vector doubles.
  environment->reserve(environment->size() + 12 + request.headers.size() + 1);
  add(environment, "GATEWAY_INTERFACE", "CGI/1.1");
  add(environment, "SERVER_PROTOCOL", request.http_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
  add(environment, "SERVER_SOFTWARE", "lunaticc");
  add(environment, "SERVER_NAME", server_name.empty() ? std::string_view(endpoints.server_address) : server_name);
  add(environment, "SERVER_PORT", endpoints.server_port);
  add(environment, "REMOTE_ADDR", endpoints.remote_address);
  add(environment, "REMOTE_PORT", endpoints.remote_port);
  add(environment, "REQUEST_METHOD", request.method);
  add(environment, "REQUEST_URI", request.target);
  add(environment, "SCRIPT_NAME", "");
  add(environment, "PATH_INFO", path_info);
  add(environment, "QUERY_STRING", query);

  bool has_content_length = false;
  size_t first_header = environment->size();
  for (const auto& [name, value] : request.headers) {
    if (equalsIgnoringCase(name, "Content-Type")) {
      add(environment, "CONTENT_TYPE", value);
    } else if (equalsIgnoringCase(name, "Content-Length") || equalsIgnoringCase(name, "Transfer-Encoding")) {
      has_content_length = true;  // the length of the body as it arrived, de-chunked, below
    } else if (!equalsIgnoringCase(name, "Proxy")) {
      std::string key = cgiHeaderName(name);
      auto same = std::find_if(environment->begin() + long(first_header), environment->end(), [&](const std::string& e) {
        return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
      });
      if (same != environment->end()) {
        same->append(", ").append(value);
      } else {
        add(environment, key, value);
      }
    }
  }
  if (has_content_length || !request.body.empty()) {
    add(environment, "CONTENT_LENGTH", std::to_string(request.body.size()));
  }
  return true;
}

namespace {

constexpr size_t kMaxHeaderBlock = 16 * 1024;

bool isToken(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool isCleanValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool isServersHeader(std::string_view name) {
  for (const char* own : {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date"}) {
    if (equalsIgnoringCase(name, own)) return true;
  }
  return false;
}

// "404 Not Found" or "404": sets status and reason; false if it is neither.
bool readStatus(std::string_view value, CgiResponse* response) {
  if (value.size() < 3 || !std::all_of(value.begin(), value.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (value.size() > 3 && value[3] != ' ') return false;
  response->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
  if (response->status < 200 || response->status > 599) return false;  // a final answer
  response->reason = std::string(trim(value.substr(3)));
  return true;
}

}  // namespace

CgiResponse parseCgiHeaders(std::string_view output) {
  CgiResponse response, plain;
  bool has_status = false, has_location = false;
  size_t position = 0;
  for (;;) {
    size_t end = output.find('\n', position);
    if (end == std::string_view::npos || end > kMaxHeaderBlock) return plain;
    std::string_view line = output.substr(position, end - position);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    position = end + 1;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return plain;
    std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (!isToken(name) || !isCleanValue(value)) return plain;
    if (equalsIgnoringCase(name, "Status")) {
      if (!readStatus(value, &response)) return plain;
      has_status = true;
      continue;
    }
    if (equalsIgnoringCase(name, "Content-Type")) response.has_content_type = true;
    if (equalsIgnoringCase(name, "Location")) has_location = true;
    if (!isServersHeader(name)) response.headers.emplace_back(name, value);
  }
  if (!has_status && !has_location && !response.has_content_type) return plain;
  if (has_location && !has_status) response.status = 302;
  response.body_offset = position;
  return response;
}

}  // namespace lunatic::rt::serve
