// Settings: the table and the config file schema (proto/config.proto) name
// the same settings, with matching types, and each row is well formed.
#include "master/config/settings.h"

#include <google/protobuf/descriptor.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <set>
#include <string>

#include "config.pb.h"
#include "master/config/config.h"

namespace stickerd {
namespace {

using google::protobuf::FieldDescriptor;

bool is_text(Kind kind) {
  return kind == Kind::kText || kind == Kind::kAddress || kind == Kind::kOnOff ||
         kind == Kind::kRedisUrl;
}

}  // namespace

TEST_CASE("every field of the config file schema has a row of the same type") {
  const auto* schema = v1::DaemonConfig::descriptor();
  for (int i = 0; i < schema->field_count(); ++i) {
    const FieldDescriptor* field = schema->field(i);
    INFO(field->name());
    const Setting* s = find_file_setting(field->name());
    REQUIRE(s != nullptr);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      CHECK(is_text(s->kind));
    } else {
      CHECK(s->kind == Kind::kCount);
    }
  }
}

TEST_CASE("every row's file key is a field of the config file schema") {
  const auto* schema = v1::DaemonConfig::descriptor();
  for (const Setting& s : settings()) {
    if (!s.in_file) continue;
    INFO(s.key);
    CHECK(schema->FindFieldByName(std::string(s.key)) != nullptr);
  }
}

TEST_CASE("every row has a unique key, flag and variable, and a default") {
  std::set<std::string_view> keys, flags, envs;
  for (const Setting& s : settings()) {
    INFO(s.key);
    CHECK(keys.insert(s.key).second);
    CHECK(flags.insert(s.flag).second);
    CHECK(s.flag.starts_with("--"));
    if (!s.env.empty()) CHECK(envs.insert(s.env).second);
    if (s.kind == Kind::kCount) {
      CHECK(s.max > 0);
      CHECK((s.computed_default != nullptr || !s.fallback.empty()));
    }
    if (s.kind == Kind::kSwitch) CHECK((s.env.empty() && !s.in_file));
    CHECK((s.field.set == nullptr) == (s.flag == config_file_setting().flag));
  }
}

TEST_CASE("--help names every flag and variable of the table") {
  const std::string text = usage();
  for (const Setting& s : settings()) {
    CHECK_MESSAGE(text.find(std::string(s.flag) + ' ') != std::string::npos, s.flag);
    if (!s.env.empty()) CHECK_MESSAGE(text.find(s.env) != std::string::npos, s.env);
  }
}

TEST_CASE("--check-config lists every setting a config file may set") {
  auto inv = parse_config({}, {}, ConfigDefaults{2, "/s.sock", "/styles", "/cache"});
  REQUIRE(inv);
  const std::string report = "\n" + describe_config(*inv);
  for (const Setting& s : settings()) {
    INFO(s.key);
    CHECK((report.find(fmt::format("\n{} ", s.key)) != std::string::npos) == s.in_file);
  }
}

}  // namespace stickerd
