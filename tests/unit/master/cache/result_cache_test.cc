// ResultCache: key canonicalisation, LRU order and the byte budget.
#include "master/cache/result_cache.h"

#include <doctest/doctest.h>

namespace stickerd {
namespace {

v1::Sticker sticker_of(std::size_t bytes, char fill = 'x') {
  v1::Sticker s;
  s.set_data(std::string(bytes, fill));
  return s;
}

std::string key_of(std::string_view text, v1::Format format = v1::FORMAT_WEBP) {
  return cache_key(text, "cfg1", format, v1::PROFILE_TELEGRAM, "0.1.0");
}

}  // namespace

TEST_CASE("the cache key treats NFC-equivalent and space-padded texts as one") {
  CHECK(key_of("caf\u00e9") == key_of("cafe\u0301"));
  CHECK(key_of("  Hello\t") == key_of("Hello"));
  CHECK(key_of("Hello\u00a0") == key_of("Hello"));
  CHECK(key_of("Hello") != key_of("hello"));
  CHECK(key_of("Hello").size() == 64);
}

TEST_CASE("the cache key changes with every field that decides the output") {
  const auto base = cache_key("Hi", "cfg1", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, "0.1.0");
  CHECK(base != cache_key("Hi", "cfg2", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, "0.1.0"));
  CHECK(base != cache_key("Hi", "cfg1", v1::FORMAT_PNG, v1::PROFILE_TELEGRAM, "0.1.0"));
  CHECK(base != cache_key("Hi", "cfg1", v1::FORMAT_WEBP, v1::PROFILE_WHATSAPP, "0.1.0"));
  CHECK(base != cache_key("Hi", "cfg1", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, "0.2.0"));
  // Length prefixes: moving a byte between fields changes the key.
  CHECK(cache_key("ab", "c", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, "v") !=
        cache_key("a", "bc", v1::FORMAT_WEBP, v1::PROFILE_TELEGRAM, "v"));
}

TEST_CASE("a stored sticker is a hit with identical bytes, an unknown key a miss") {
  ResultCache cache(1 << 20);
  CHECK(cache.get("a") == nullptr);
  REQUIRE(cache.put("a", sticker_of(100, 'q')));
  const v1::Sticker* hit = cache.get("a");
  REQUIRE(hit != nullptr);
  CHECK(hit->data() == std::string(100, 'q'));
  CHECK(cache.counts().hits == 1);
  CHECK(cache.counts().misses == 1);
  CHECK(cache.counts().entries == 1);
  CHECK(cache.counts().bytes == ResultCache::charge("a", sticker_of(100)));
}

TEST_CASE("the least recently used entry is evicted first when the budget is reached") {
  const std::size_t one = ResultCache::charge("a", sticker_of(1000));
  ResultCache cache(3 * one);
  cache.put("a", sticker_of(1000));
  cache.put("b", sticker_of(1000));
  cache.put("c", sticker_of(1000));
  CHECK(cache.get("a") != nullptr);  // a is now the most recent; b the least
  cache.put("d", sticker_of(1000));
  CHECK(cache.contains("a"));
  CHECK_FALSE(cache.contains("b"));
  CHECK(cache.contains("c"));
  CHECK(cache.contains("d"));
  CHECK(cache.counts().evictions == 1);
  CHECK(cache.counts().bytes <= cache.budget());
}

TEST_CASE("a smaller budget evicts the least recently used entries until the cache fits") {
  const std::size_t one = ResultCache::charge("a", sticker_of(1000));
  ResultCache cache(3 * one);
  cache.put("a", sticker_of(1000));
  cache.put("b", sticker_of(1000));
  cache.put("c", sticker_of(1000));
  cache.set_budget(one);
  CHECK(cache.budget() == one);
  CHECK_FALSE(cache.contains("a"));
  CHECK_FALSE(cache.contains("b"));
  CHECK(cache.contains("c"));
  CHECK(cache.counts().evictions == 2);
  cache.set_budget(2 * one);
  CHECK(cache.put("d", sticker_of(1000)));
  CHECK(cache.contains("c"));
}

TEST_CASE("an entry larger than the whole budget is not stored and evicts nothing") {
  ResultCache cache(2000);
  cache.put("small", sticker_of(100));
  CHECK_FALSE(cache.put("huge", sticker_of(5000)));
  CHECK(cache.contains("small"));
  CHECK(cache.counts().evictions == 0);
}

TEST_CASE("replacing a key keeps one entry and recharges its bytes") {
  ResultCache cache(1 << 20);
  cache.put("a", sticker_of(100));
  cache.put("a", sticker_of(300));
  CHECK(cache.counts().entries == 1);
  CHECK(cache.counts().bytes == ResultCache::charge("a", sticker_of(300)));
  CHECK(cache.get("a")->data().size() == 300);
}

TEST_CASE("a zero budget disables the cache without counting lookups") {
  ResultCache cache(0);
  CHECK_FALSE(cache.enabled());
  CHECK_FALSE(cache.put("a", sticker_of(10)));
  CHECK(cache.get("a") == nullptr);
  CHECK(cache.counts().misses == 0);
}

}  // namespace stickerd
