// How a directory grant is written, HOST[::GUEST][:ro]: read alike by lunaticc's --dir (baked
// into the executable) and the runtime's LUNATIC_DIRS (wasi/grants.h).
//   HOST          the host directory, which the guest sees under the same name
//   ::GUEST       the name the guest sees it under instead
//   :ro           read-only: no write rights to anything beneath it
#pragma once

#include <string_view>
#include <vector>

namespace lunatic {

inline constexpr std::string_view kGuestNameSeparator = "::";
inline constexpr std::string_view kReadOnlySuffix = ":ro";

struct DirectoryGrantSyntax {
  std::string_view host;
  std::string_view guest;
  bool read_only = false;
};

// Whether `entry` ends in ":ro" whose ':' is not half of a "::" (HOST::ro names the guest
// directory "ro").
inline bool endsReadOnly(std::string_view entry) {
  return entry.ends_with(kReadOnlySuffix) &&
         !entry.substr(0, entry.size() - kReadOnlySuffix.size()).ends_with(':');
}

// One grant as written. Either name may come out empty: the caller says why that is wrong.
inline DirectoryGrantSyntax parseDirectoryGrant(std::string_view entry) {
  DirectoryGrantSyntax grant;
  if (endsReadOnly(entry)) {
    grant.read_only = true;
    entry.remove_suffix(kReadOnlySuffix.size());
  }
  size_t separator = entry.find(kGuestNameSeparator);
  grant.host = entry.substr(0, separator);
  grant.guest = separator == std::string_view::npos ? grant.host : entry.substr(separator + kGuestNameSeparator.size());
  return grant;
}

// The entries of a list of grants, LUNATIC_DIRS's, separated like PATH's: each entry ends at a
// ':' that is neither half of a "::" nor the start of a ":ro" that ends the entry. Empty
// entries ("a::b:" or ":a", as PATH allows) are left out.
inline std::vector<std::string_view> splitDirectoryList(std::string_view list) {
  std::vector<std::string_view> entries;
  while (!list.empty()) {
    size_t end = 0;
    while (end < list.size()) {
      if (list.substr(end, 2) == kGuestNameSeparator) {
        end += 2;
      } else if (list[end] != ':') {
        ++end;
      } else if (std::string_view rest = list.substr(end); rest.starts_with(kReadOnlySuffix) &&
                 (rest.size() == kReadOnlySuffix.size() || rest[kReadOnlySuffix.size()] == ':')) {
        end += kReadOnlySuffix.size();
      } else {
        break;
      }
    }
    if (end > 0) entries.push_back(list.substr(0, end));
    list.remove_prefix(end < list.size() ? end + 1 : list.size());
  }
  return entries;
}

}  // namespace lunatic
