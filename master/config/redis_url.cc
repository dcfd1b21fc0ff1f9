// parse_redis_url: the URL rules, without hiredis.
#include "master/config/redis_url.h"

#include <charconv>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace stickerd {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "unix://";
constexpr std::uint16_t kDefaultPort = 6379;

// A whole number in [min, max], all of `text`.
std::optional<unsigned long> whole_number(std::string_view text, unsigned long min,
                                          unsigned long max) {
  unsigned long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < min || n > max)
    return std::nullopt;
  return n;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded: a password may hold '@', ':' or '/' only so.
std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int low = high < 0 ? -1 : hex_digit(text[i + 2]);
    if (low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Error bad_url(std::string_view text, std::string_view why) {
  return make_error(v1::INVALID_ARGUMENT, fmt::format("'{}': {}", redact_redis_url(text), why));
}

Result<RedisUrl> parse_unix(std::string_view text) {
  RedisUrl url;
  url.path = std::string(text.substr(kUnixScheme.size()));
  if (url.path.size() < 2 || url.path.front() != '/')
    return bad_url(text,
                   "a Unix socket needs an absolute path, as in unix:///run/redis/redis.sock");
  return url;
}

// "host", "host:port", "[v6]" or "[v6]:port" into `url`; an error's reason.
std::optional<std::string_view> parse_host_port(std::string_view hostport, RedisUrl& url) {
  std::string_view host = hostport;
  std::string_view port;
  if (hostport.starts_with('[')) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return "an IPv6 host's '[' has no ']'";
    host = hostport.substr(1, close - 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "only :PORT may follow an IPv6 host";
    if (!after.empty()) port = after.substr(1);
    if (after == ":") return "the port after ':' is missing";
  } else if (const auto colon = hostport.find(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
    if (port.find(':') != std::string_view::npos)
      return "an IPv6 host goes in brackets, as in redis://[::1]:6379";
    if (port.empty()) return "the port after ':' is missing";
  }
  if (host.empty()) return "the host is missing";
  url.host = std::string(host);
  url.port = kDefaultPort;
  if (!port.empty()) {
    const auto n = whole_number(port, 1, std::numeric_limits<std::uint16_t>::max());
    if (!n) return "the port is not a number from 1 to 65535";
    url.port = static_cast<std::uint16_t>(*n);
  }
  return std::nullopt;
}

Result<RedisUrl> parse_tcp(std::string_view text) {
  RedisUrl url;
  std::string_view rest = text.substr(kTcpScheme.size());
  // The last '@': a password's own '@' should be %40, but is not ambiguous.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (!userinfo.starts_with(':'))
      return bad_url(text,
                     "a user name is not supported: give only a password, as in "
                     "redis://:PASSWORD@HOST:PORT");
    auto password = percent_decoded(userinfo.substr(1));
    if (!password) return bad_url(text, "the password has a '%' that is not %XX");
    if (password->empty()) return bad_url(text, "the password after ':' is empty");
    url.password = std::move(*password);
  }
  const auto slash = rest.find('/');
  if (auto why = parse_host_port(rest.substr(0, slash), url)) return bad_url(text, *why);
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    const auto db = whole_number(rest.substr(slash + 1), 0, std::numeric_limits<int>::max());
    if (!db) return bad_url(text, "the database after '/' is not a whole number");
    url.db = static_cast<unsigned>(*db);
  }
  return url;
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view text) {
  if (text.starts_with(kUnixScheme)) return parse_unix(text);
  if (text.starts_with(kTcpScheme)) return parse_tcp(text);
  return bad_url(text, "expected redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH");
}

std::string redact_redis_url(std::string_view text) {
  const auto start = text.find("//");
  const auto at = text.rfind('@');
  if (start == std::string_view::npos || at == std::string_view::npos || at < start)
    return std::string(text);
  return fmt::format("{}:***{}", text.substr(0, start + 2), text.substr(at));
}

std::string describe(const RedisUrl& url) {
  if (url.host.empty()) return fmt::format("unix://{}", url.path);
  const bool v6 = url.host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}:{}/{}", v6 ? "[" : "", url.host, v6 ? "]" : "", url.port,
                     url.db);
}

}  // namespace stickerd
