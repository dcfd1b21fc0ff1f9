// Setting: one row of the settings table (settings.cc). A row names the
// setting on every source (flag, variable, config file key), gives its
// default, bounds, --help text and reload class, and how its text becomes
// the Config field and back, so adding a setting is one row and one field.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <type_traits>

#include "master/config/config.h"

namespace stickerd {

// How a value's text is checked before it is stored.
enum class Kind {
  kText,      // any text
  kAddress,   // HOST:PORT, or "" / none for no endpoint (metrics_address.h)
  kCount,     // a whole number from 1 to Setting::max
  kSwitch,    // a flag without a value; no variable or file key
  kOnOff,     // "on" or "off"
  kRedisUrl,  // redis://... or unix://..., or "" for none (redis_url.h)
};

// --help lists the rows group by group (and the table's order within one);
// reload replies too, within each Reload class.
enum class Section { kBasics, kReliability, kOperations, kPerformance, kCluster, kSources };

// What a reload does with a changed value (config_reload.cc). In this order
// in a reload's reply.
enum class Reload {
  kPoolSize,     // live while both pools are fixed-size (a dynamic pool's scaler is built once)
  kPoolBound,    // a fixed pool's bounds follow the size: applied unreported; else a restart
  kCacheBudget,  // live unless the cache turns on or off (single-flight follows it)
  kLive,         // read per request or per new connection: applied at once
  kRestart,      // applied by the next start
};

// Reads and writes a row's Config field as text: numbers in decimal, a
// switch as "true" / "false". Empty for --config, which is no field.
struct Field {
  void (*set)(Config& config, std::string_view text) = nullptr;  // text already checked
  std::string (*get)(const Config& config) = nullptr;
  void (*copy)(Config& to, const Config& from) = nullptr;
};

struct Setting {
  std::string_view key{};  // in the config file, --check-config and reload replies
  std::string_view flag{};
  std::string_view env{};  // empty: no variable
  bool in_file = true;     // `key` is a field of DaemonConfig (proto/config.proto)
  Section section = Section::kBasics;
  Kind kind = Kind::kText;
  Field field{};
  std::string_view fallback{};  // the default, as text
  // Instead of `fallback`: a default that depends on the host (main()'s
  // ConfigDefaults) or on another layer's constant.
  std::string (*computed_default)(const ConfigDefaults& host) = nullptr;
  unsigned long long max = 0;     // kCount: the largest value accepted
  bool zero_allowed = false;      // kCount: "0" is accepted too, and turns the feature off
  std::string_view unset_text{};  // --check-config's text for "" or 0; empty: the value itself
  // The value as --check-config and reload replies show it, a secret hidden;
  // null: as it is.
  std::string (*shown)(std::string_view value) = nullptr;
  Reload reload = Reload::kRestart;
  std::string_view arg{};  // --help's placeholder: "N", "PATH"
  // --help's text after the flag, "\n" between lines; {env}, {default} and
  // {libexecdir} are filled in. Empty: described with the next row.
  std::string_view help{};
};

// The Field of Config member `Member`.
template <auto Member>
constexpr Field field() {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Member)>;
  static_assert(std::is_same_v<T, std::string> || std::is_same_v<T, bool> || std::is_unsigned_v<T>);
  return {
      .set =
          [](Config& c, std::string_view text) {
            if constexpr (std::is_same_v<T, std::string>) {
              c.*Member = std::string(text);
            } else if constexpr (std::is_same_v<T, bool>) {
              c.*Member = text == "true";
            } else {
              T n{};
              std::from_chars(text.data(), text.data() + text.size(), n);
              c.*Member = n;
            }
          },
      .get = [](const Config& c) -> std::string {
        if constexpr (std::is_same_v<T, std::string>) {
          return c.*Member;
        } else if constexpr (std::is_same_v<T, bool>) {
          return c.*Member ? "true" : "false";
        } else {
          return std::to_string(c.*Member);
        }
      },
      .copy = [](Config& to, const Config& from) { to.*Member = from.*Member; },
  };
}

}  // namespace stickerd
