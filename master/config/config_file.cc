// ConfigFile: DaemonConfig JSON → flag-named settings, each key's flag from
// its row of the settings table.
#include "master/config/config_file.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config.pb.h"
#include "master/config/settings.h"

namespace stickerd {

Result<FileSettings> parse_config_file(std::string_view path, std::string_view json) {
  v1::DaemonConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo in a key must not pass silently
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config, options);
  if (!status.ok()) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("config file {}: {}", path, std::string(status.message())));
  }
  FileSettings settings;
  settings.path = std::string(path);
  const auto* reflection = config.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(config, &fields);  // only the keys the file sets
  for (const auto* field : fields) {
    const Setting* setting = find_file_setting(field->name());
    if (setting == nullptr) {  // settings_test checks that every field has a row
      return make_error(v1::INTERNAL, fmt::format("config key {} has no setting", field->name()));
    }
    std::string value;
    switch (field->cpp_type()) {
      case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
        value = reflection->GetString(config, field);
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
        value = std::to_string(reflection->GetUInt32(config, field));
        break;
      case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
        value = std::to_string(reflection->GetUInt64(config, field));
        break;
      default:
        return make_error(v1::INTERNAL,
                          fmt::format("config key {} has an unexpected type", field->name()));
    }
    settings.values.emplace(setting->flag, std::move(value));
  }
  return settings;
}

Result<FileSettings> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return make_error(v1::INVALID_ARGUMENT, fmt::format("config file {}: cannot open it", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config_file(path, text.str());
}

}  // namespace stickerd
