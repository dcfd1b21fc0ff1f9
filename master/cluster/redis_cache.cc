// RedisCache: GET and SET EX of checksummed entries on the cluster's Redis.
#include "master/cluster/redis_cache.h"

#include <hiredis/hiredis.h>

#include <optional>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "master/cache/disk_record.h"

namespace stickerd {
namespace {

std::string redis_key(const std::string& key) { return "stickerd:cache:" + key; }
std::string claim_key(const std::string& key) { return "stickerd:rendering:" + key; }

// KEYS: the entry, the claim. ARGV: this node, the claim's lease in ms.
// The entry if stored, else 1 when the claim is this node's, else 0.
constexpr const char* kClaimScript = R"lua(
local entry = redis.call('GET', KEYS[1])
if entry then return entry end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
)lua";

// An entry's sticker, or nullopt (logged) when it is refused.
std::optional<v1::Sticker> decoded(const std::string& key, const redisReply& r) {
  auto sticker = decode_entry(key, std::string_view(r.str, r.len));
  if (!sticker) {
    log::warning("redis cache: entry {}… refused: {}; rendering it again", key.substr(0, 16),
                 sticker.error().message);
    return std::nullopt;
  }
  return std::move(*sticker);
}

}  // namespace

bool RedisCache::lookup(const std::string& key, Found found) {
  return link_.send({"GET", redis_key(key)}, [key, found = std::move(found)](const redisReply& r) {
    if (r.type != REDIS_REPLY_STRING) return found(std::nullopt);  // nil (a miss), or an error
    found(decoded(key, r));
  });
}

bool RedisCache::claim(const std::string& key, Claimed done) {
  return link_.send(
      {"EVAL", kClaimScript, "2", redis_key(key), claim_key(key), node_, std::to_string(kClaimMs)},
      [key, done = std::move(done)](const redisReply& r) {
        if (r.type == REDIS_REPLY_STRING) {
          auto stored = decoded(key, r);
          const bool mine = !stored;
          return done(Claim{std::move(stored), mine});
        }
        // 0: another node holds it. An error: render here, to be safe.
        done(Claim{std::nullopt, !(r.type == REDIS_REPLY_INTEGER && r.integer == 0)});
      });
}

void RedisCache::store(const std::string& key, const v1::Sticker& sticker) {
  link_.send(
      {"SET", redis_key(key), encode_entry(key, sticker), "EX", std::to_string(kTtlSeconds)});
  release(key);
}

void RedisCache::release(const std::string& key) { link_.send({"DEL", claim_key(key)}); }

}  // namespace stickerd
