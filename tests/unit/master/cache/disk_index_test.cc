// DiskIndex: the budget arithmetic and the segmented LRU's choices.
#include "master/cache/disk_index.h"

#include <doctest/doctest.h>

namespace stickerd {
namespace {

constexpr std::size_t kUnit = 10'000;

// A budget whose capacity holds `n` entries of kUnit.
DiskIndex index_of(std::size_t n) { return DiskIndex(2 * n * kUnit); }

}  // namespace

TEST_CASE("an entry is charged whole pages plus its bookkeeping") {
  CHECK(DiskIndex::charge(64, 100) == 4096 + 64 + 128);
  CHECK(DiskIndex::charge(64, 4096 - 64) == 4096 + 64 + 128);
  CHECK(DiskIndex::charge(64, 4096 - 63) == 8192 + 64 + 128);
}

TEST_CASE("entries take at most half the budget: the rest is LMDB's room to write") {
  DiskIndex index(100 * kUnit);
  CHECK(index.capacity() == 50 * kUnit);
  for (int i = 0; i < 200; ++i) index.insert("k" + std::to_string(i), kUnit);
  CHECK(index.bytes() <= index.capacity());
  CHECK(index.entries() == 50);
}

TEST_CASE("an entry larger than the capacity is not stored and evicts nothing") {
  DiskIndex index = index_of(2);
  index.insert("a", kUnit);
  CHECK(index.insert("huge", 3 * kUnit).empty());
  CHECK(!index.contains("huge"));
  CHECK(index.contains("a"));
}

TEST_CASE("without hits the least recently stored entry goes first") {
  DiskIndex index = index_of(3);
  index.insert("a", kUnit);
  index.insert("b", kUnit);
  index.insert("c", kUnit);
  CHECK(index.insert("d", kUnit) == std::vector<std::string>{"a"});
  CHECK(index.insert("e", 2 * kUnit) == std::vector<std::string>{"b", "c"});
}

TEST_CASE("an entry asked for again outlives a burst of new ones") {
  DiskIndex index = index_of(4);
  index.insert("popular", kUnit);
  index.insert("b", kUnit);
  REQUIRE(index.touch("popular"));
  for (int i = 0; i < 20; ++i) index.insert("burst" + std::to_string(i), kUnit);
  CHECK(index.contains("popular"));
  CHECK(!index.contains("b"));
  CHECK(index.bytes() <= index.capacity());
}

TEST_CASE("the protected segment keeps to its share: its least recent entry is demoted") {
  DiskIndex index = index_of(5);  // protected: at most 4 units
  for (const char* k : {"a", "b", "c", "d", "e"}) index.insert(k, kUnit);
  for (const char* k : {"a", "b", "c", "d", "e"}) index.touch(k);
  CHECK(index.protected_bytes() == 4 * kUnit);
  // "a" was demoted to probation, so it is the first to go.
  CHECK(index.insert("f", kUnit) == std::vector<std::string>{"a"});
}

TEST_CASE("touch counts hits and advances the stamp; loaded records keep both") {
  DiskIndex index = index_of(4);
  index.insert("a", kUnit);
  const auto first = index.meta("a");
  const auto touched = index.touch("a");
  REQUIRE(first);
  REQUIRE(touched);
  CHECK(touched->hits == 1);
  CHECK(touched->stamp > first->stamp);
  CHECK(!index.touch("missing"));

  DiskIndex reloaded = index_of(4);
  reloaded.insert("a", touched->charge, *touched);
  CHECK(reloaded.protected_bytes() == touched->charge);
  reloaded.insert("b", kUnit);
  CHECK(reloaded.meta("b")->stamp > touched->stamp);
}

TEST_CASE("erase gives the bytes back") {
  DiskIndex index = index_of(4);
  index.insert("a", kUnit);
  index.touch("a");
  index.insert("b", kUnit);
  index.erase("a");
  index.erase("missing");
  CHECK(index.bytes() == kUnit);
  CHECK(index.protected_bytes() == 0);
  CHECK(index.entries() == 1);
}

TEST_CASE("the hottest entries are the protected ones first, each segment most recent first") {
  DiskIndex index = index_of(10);
  for (const char* k : {"a", "b", "c", "d"}) index.insert(k, kUnit);
  index.touch("b");
  index.touch("a");
  CHECK(index.hottest(10 * kUnit) == std::vector<std::string>{"a", "b", "d", "c"});
  CHECK(index.hottest(3 * kUnit) == std::vector<std::string>{"a", "b", "d"});
  CHECK(index.hottest(kUnit - 1).empty());
}

TEST_CASE("the popular entries are the protected ones only: asked for more than once") {
  DiskIndex index = index_of(10);
  for (const char* k : {"a", "b", "c", "d"}) index.insert(k, kUnit);
  CHECK(index.popular(10 * kUnit).empty());
  index.touch("c");
  index.touch("a");
  CHECK(index.popular(10 * kUnit) == std::vector<std::string>{"a", "c"});
  CHECK(index.popular(kUnit) == std::vector<std::string>{"a"});
}

}  // namespace stickerd
