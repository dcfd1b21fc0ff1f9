// RedisCache: GET and SET EX of checksummed entries on the cluster's Redis.
#include "master/cluster/redis_cache.h"

#include <hiredis/hiredis.h>

#include <string_view>
#include <utility>

#include "common/log.h"
#include "master/cache/disk_record.h"

namespace stickerd {
namespace {

std::string redis_key(const std::string& key) { return "stickerd:cache:" + key; }
std::string claim_key(const std::string& key) { return "stickerd:rendering:" + key; }

}  // namespace

bool RedisCache::lookup(const std::string& key, Found found) {
  return link_.send({"GET", redis_key(key)}, [key, found = std::move(found)](const redisReply& r) {
    if (r.type != REDIS_REPLY_STRING) return found(std::nullopt);  // nil (a miss), or an error
    auto sticker = decode_entry(key, std::string_view(r.str, r.len));
    if (!sticker) {
      log::warning("redis cache: entry {}… refused: {}; rendering it again", key.substr(0, 16),
                   sticker.error().message);
      return found(std::nullopt);
    }
    found(std::move(*sticker));
  });
}

bool RedisCache::claim(const std::string& key, std::function<void(bool mine)> done) {
  return link_.send({"SET", claim_key(key), node_, "NX", "PX", std::to_string(kClaimMs)},
                    [done = std::move(done)](const redisReply& r) {
                      // nil: another node holds it. An error: render here, to be safe.
                      done(r.type != REDIS_REPLY_NIL);
                    });
}

void RedisCache::store(const std::string& key, const v1::Sticker& sticker) {
  link_.send(
      {"SET", redis_key(key), encode_entry(key, sticker), "EX", std::to_string(kTtlSeconds)});
  release(key);
}

void RedisCache::release(const std::string& key) { link_.send({"DEL", claim_key(key)}); }

}  // namespace stickerd
