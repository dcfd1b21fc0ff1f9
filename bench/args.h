// Command-line parsing shared by the bench binaries: the flag walk and the
// values several of them take (lists, formats, profiles).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stickerd.pb.h"

namespace stickerd::bench {

// Walks argv flag by flag; a flag's value is the next argument.
class Args {
 public:
  Args(int argc, char** argv) : argc_(argc), argv_(argv) {}
  bool more() const { return i_ + 1 < argc_; }
  std::string_view flag() { return argv_[++i_]; }
  // The current flag's value; a missing one is a usage error (exit 2).
  std::string value() {
    if (i_ + 1 >= argc_) {
      std::fprintf(stderr, "%s needs a value\n", argv_[i_]);
      std::exit(2);
    }
    return argv_[++i_];
  }

 private:
  int argc_;
  char** argv_;
  int i_ = 0;
};

// "a,b,,c" -> {"a", "b", "c"}.
inline std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const auto end = comma == std::string_view::npos ? s.size() : comma;
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// A format by its short name; "default" is the style's own default. Exits on
// anything else, as a usage error.
inline v1::Format parse_format(std::string_view f) {
  if (f == "webp") return v1::FORMAT_WEBP;
  if (f == "webp_animated" || f == "animated") return v1::FORMAT_WEBP_ANIMATED;
  if (f == "png") return v1::FORMAT_PNG;
  if (f == "tgs") return v1::FORMAT_TGS;
  if (f == "webm") return v1::FORMAT_WEBM;
  if (f == "default") return v1::FORMAT_UNSPECIFIED;
  std::fprintf(stderr, "unknown format %.*s\n", static_cast<int>(f.size()), f.data());
  std::exit(2);
}

inline v1::Profile parse_profile(std::string_view p) {
  if (p == "telegram") return v1::PROFILE_TELEGRAM;
  if (p == "whatsapp") return v1::PROFILE_WHATSAPP;
  if (p == "none") return v1::PROFILE_NONE;
  if (p == "telegram-emoji") return v1::PROFILE_TELEGRAM_EMOJI;
  if (p == "default") return v1::PROFILE_UNSPECIFIED;
  std::fprintf(stderr, "unknown profile %.*s\n", static_cast<int>(p.size()), p.data());
  std::exit(2);
}

}  // namespace stickerd::bench
