// The disk cache (--disk-cache-dir, --disk-cache-mb) through the real
// daemon: persistence across a restart, a corrupted entry, the budget and a
// full disk. Every assertion is on exported stats, logs, files and reply
// bytes, never on timing.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/integration/harness.h"

namespace stickerd::itest {
namespace {

DaemonOptions with_disk_cache(const std::string& dir, std::vector<std::string> more = {}) {
  DaemonOptions options{.workers = 1};
  options.extra_args = {"--disk-cache-dir", dir};
  options.extra_args.insert(options.extra_args.end(), more.begin(), more.end());
  return options;
}

// Starts a daemon and waits until its disk cache has read its index.
std::unique_ptr<Daemon> start_with_disk(DaemonOptions options) {
  auto daemon = start_daemon(std::move(options));
  REQUIRE_MESSAGE(wait_until([&] { return daemon->stats().disk_cache_ready(); }, 10s),
                  "the disk cache never opened");
  return daemon;
}

void wait_written(const Daemon& daemon, std::uint64_t writes) {
  REQUIRE_MESSAGE(wait_until([&] { return daemon.stats().disk_cache_writes() >= writes; }, 10s),
                  "the disk cache never wrote ", writes, " entries");
}

v1::Sticker render(const Daemon& daemon, const std::string& text, std::uint64_t id = 1) {
  Client client(daemon.socket_path());
  const v1::Reply reply = client.call(render_request(id, text, "classic", v1::FORMAT_WEBP));
  REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  return reply.sticker();
}

// Renders `text` with a daemon on disk cache `dir`, waits for the write,
// then SIGKILLs the daemon: what was committed stays.
v1::Sticker render_then_kill(const std::string& dir, const std::string& text) {
  auto daemon = start_with_disk(with_disk_cache(dir));
  v1::Sticker sticker = render(*daemon, text);
  wait_written(*daemon, 1);
  return sticker;
}

// Flips a byte in every copy of `needle` in `path`; how many it found.
int flip_bytes_of(const std::string& path, const std::string& needle) {
  std::string bytes = read_file(path);
  int found = 0;
  for (std::size_t at = bytes.find(needle); at != std::string::npos;
       at = bytes.find(needle, at + 1)) {
    bytes[at + needle.size() / 2] = static_cast<char>(bytes[at + needle.size() / 2] ^ 0x5a);
    ++found;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return found;
}

// A tmpfs of `size` at `dir`, unmounted at the end.
class SmallTmpfs {
 public:
  SmallTmpfs(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

}  // namespace

TEST_CASE("a sticker rendered before a restart is in memory again before it is asked for") {
  TempDir cache;
  const std::string text = unique_text("persisted");
  const v1::Sticker first = render_then_kill(cache.path(), text);

  auto daemon = start_with_disk(with_disk_cache(cache.path()));
  CHECK(daemon->stats().disk_cache_entries() == 1);
  // The start preloads the most popular entries into memory.
  REQUIRE(wait_until([&] { return daemon->stats().disk_cache_preloaded() == 1; }, 10s));
  CHECK(render(*daemon, text, 2).data() == first.data());
  const v1::Stats stats = daemon->stats();
  CHECK(stats.tasks_completed() == 0);
  CHECK(stats.cache_hits() == 1);
  CHECK(stats.disk_cache_hits() == 0);
}

TEST_CASE("a memory miss the disk holds is read from disk by no worker, and refills memory") {
  TempDir cache;
  // 1 MiB of memory holds some 80 stickers: 150 more push the first one out.
  constexpr int kOthers = 150;
  DaemonOptions options = with_disk_cache(cache.path(), {"--cache-mb", "1"});
  options.queue_size = kOthers;
  auto daemon = start_with_disk(options);
  const std::string text = unique_text("read back");
  const v1::Sticker first = render(*daemon, text);
  Client client(daemon->socket_path());
  for (int i = 1; i <= kOthers; ++i) {
    client.send(render_request(i, unique_text("pushing out"), "classic", v1::FORMAT_WEBP));
  }
  for (int i = 1; i <= kOthers; ++i) REQUIRE(client.receive().has_sticker());
  REQUIRE(wait_until([&] { return daemon->stats().disk_cache_backlog() == 0; }, 10s));
  const v1::Stats before = daemon->stats();
  REQUIRE(before.cache_evictions() > 0);

  CHECK(render(*daemon, text, 2).data() == first.data());
  const v1::Stats read = daemon->stats();
  CHECK(read.tasks_completed() == before.tasks_completed());
  CHECK(read.disk_cache_hits() == before.disk_cache_hits() + 1);
  CHECK(read.cache_misses() == before.cache_misses() + 1);

  CHECK(render(*daemon, text, 3).data() == first.data());
  const v1::Stats refilled = daemon->stats();
  CHECK(refilled.cache_hits() == read.cache_hits() + 1);
  CHECK(refilled.disk_cache_hits() == read.disk_cache_hits());
}

TEST_CASE("a popular sticker memory evicted is loaded back from disk before it is asked for") {
  TempDir cache;
  constexpr int kOthers = 150;  // as above: enough to push it out of 1 MiB
  DaemonOptions options = with_disk_cache(cache.path(), {"--cache-mb", "1"});
  options.queue_size = kOthers;
  auto daemon = start_with_disk(options);
  const std::string text = unique_text("regular");
  const v1::Sticker first = render(*daemon, text);
  wait_written(*daemon, 1);
  render(*daemon, text, 2);  // asked for again: popular now, on disk too
  Client client(daemon->socket_path());
  for (int i = 1; i <= kOthers; ++i) {
    client.send(render_request(i, unique_text("one-off"), "classic", v1::FORMAT_WEBP));
  }
  for (int i = 1; i <= kOthers; ++i) REQUIRE(client.receive().has_sticker());
  REQUIRE(daemon->stats().cache_evictions() > 0);
  // A refresh (every 2 s) may have come during the flood, and later
  // one-offs pushed the sticker out again: the next refresh loads it back.
  // If none comes in three periods, the last one left it in memory.
  const std::uint64_t refreshed = daemon->stats().disk_cache_refreshed();
  wait_until([&] { return daemon->stats().disk_cache_refreshed() > refreshed; }, 6s);
  REQUIRE(daemon->stats().disk_cache_refreshed() >= 1);

  const v1::Stats before = daemon->stats();
  CHECK(render(*daemon, text, 3).data() == first.data());
  const v1::Stats after = daemon->stats();
  CHECK(after.cache_hits() == before.cache_hits() + 1);
  CHECK(after.disk_cache_hits() == before.disk_cache_hits());
  CHECK(after.tasks_completed() == before.tasks_completed());
}

TEST_CASE("no worker holds a descriptor of the disk cache: its sandbox keeps it out") {
  TempDir cache;
  auto daemon = start_with_disk(with_disk_cache(cache.path()));
  render(*daemon, unique_text("descriptors"));  // the store is open and written
  const auto workers = daemon->worker_pids();
  REQUIRE(!workers.empty());
  for (pid_t pid : workers) {
    const std::string fds = fmt::format("/proc/{}/fd", pid);
    for (const auto& entry : std::filesystem::directory_iterator(fds)) {
      std::error_code ec;
      const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
      CHECK_MESSAGE(target.find(cache.path()) == std::string::npos, "worker ", pid, " holds ",
                    target);
    }
  }
}

TEST_CASE("a corrupted entry is refused, logged, rendered again and written anew") {
  TempDir cache;
  const std::string text = unique_text("corrupted");
  const v1::Sticker first = render_then_kill(cache.path(), text);
  // Bytes in the middle of the stored sticker, where a bad sector would be.
  const std::string middle = first.data().substr(first.data().size() / 2, 32);
  REQUIRE(flip_bytes_of(cache.path() + "/data.mdb", middle) >= 1);

  auto daemon = start_with_disk(with_disk_cache(cache.path()));
  // The start's preload reads it first and refuses it.
  REQUIRE(wait_until([&] { return daemon->stats().disk_cache_refused() == 1; }, 10s));
  const v1::Sticker again = render(*daemon, text, 2);
  CHECK(again.data() == first.data());
  const v1::Stats stats = daemon->stats();
  CHECK(stats.disk_cache_refused() == 1);
  CHECK(stats.disk_cache_preloaded() == 0);
  CHECK(stats.disk_cache_hits() == 0);
  CHECK(stats.tasks_completed() == 1);
  CHECK(daemon->log().find("refused: its CRC-32 does not match") != std::string::npos);
  wait_written(*daemon, 1);
}

TEST_CASE("the disk cache stays within its budget, its file included") {
  TempDir cache;
  auto daemon = start_with_disk(with_disk_cache(cache.path(), {"--disk-cache-mb", "1"}));
  Client client(daemon->socket_path());
  // Pipelined, so the one worker never waits for the test.
  constexpr int kStickers = 80;
  for (int i = 1; i <= kStickers; ++i) {
    client.send(render_request(i, unique_text("budget"), "classic", v1::FORMAT_WEBP));
  }
  for (int i = 1; i <= kStickers; ++i) {
    const v1::Reply reply = client.receive();
    REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
  }
  REQUIRE(wait_until([&] { return daemon->stats().disk_cache_backlog() == 0; }, 10s));
  const v1::Stats stats = daemon->stats();
  CHECK(stats.disk_cache_capacity_bytes() == 1u << 20);
  CHECK(stats.disk_cache_evictions() > 0);
  CHECK(stats.disk_cache_bytes() <= stats.disk_cache_capacity_bytes() / 2);
  CHECK(stats.disk_cache_write_errors() == 0);
  CHECK(std::filesystem::file_size(cache.path() + "/data.mdb") <= 1u << 20);
}

TEST_CASE("a full disk stops the disk cache writing and the daemon keeps serving") {
  TempDir scratch;
  const std::string dir = scratch.path() + "/small";
  SmallTmpfs tmpfs(dir, "96k");
  if (!tmpfs.mounted()) {
    MESSAGE("skipped: mounting a tmpfs needs root (CI runs as root)");
    return;
  }
  auto daemon = start_with_disk(with_disk_cache(dir, {"--disk-cache-mb", "8"}));
  Client client(daemon->socket_path());
  std::uint64_t id = 0;
  const bool full = wait_until(
      [&] {
        const v1::Reply reply = client.call(render_request(++id, unique_text("full disk")));
        REQUIRE_MESSAGE(reply.has_sticker(), describe(reply));
        return daemon->stats().disk_cache_write_errors() > 0;
      },
      60s);
  REQUIRE_MESSAGE(full, "96 KiB never filled up after ", id, " renders");
  const v1::Stats stats = daemon->stats();
  CHECK(!stats.disk_cache_writable());
  CHECK(stats.disk_cache_ready());
  CHECK(daemon->log().find("stops writing") != std::string::npos);
  // Still serving, from every tier: a fresh render, and an old one again.
  check_still_serving(*daemon);
  const v1::Reply again = client.call(render_request(++id, unique_text("after full")));
  CHECK_MESSAGE(again.has_sticker(), describe(again));
  CHECK(daemon->stats().disk_cache_dropped_writes() >= 1);
}

}  // namespace stickerd::itest
