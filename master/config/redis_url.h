// The --redis setting: where the cluster's Redis is. Checked when the
// configuration is read, so --check-config refuses a bad URL, and parsed
// again when the link starts (master/cluster/redis_link.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace stickerd {

struct RedisUrl {
  // TCP: host (a name, an IPv4 address or an IPv6 one without brackets) and
  // port; Unix socket: path (host empty).
  std::string host;
  std::uint16_t port = 0;
  std::string path;
  std::string password;  // empty: no AUTH
  unsigned db = 0;       // SELECTed after connecting when not 0
};

// "redis://[:password@]host[:port][/db]" (port 6379 when left out; a
// password's reserved characters percent-encoded; IPv6 hosts in brackets)
// or "unix:///path". The error says what is wrong, not where the text came
// from: the caller names its source. Pure.
Result<RedisUrl> parse_redis_url(std::string_view text);

// `text` with its password replaced by "***", for logs, --check-config and
// reload replies. Text that is no URL comes back as it is, so that an
// error can still show it (a password is only read after "//" and before "@").
std::string redact_redis_url(std::string_view text);

// The URL without its password, for logs.
std::string describe(const RedisUrl& url);

}  // namespace stickerd
