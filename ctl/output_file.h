// Writing rendered stickers to disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace stickerd::ctl {

// Writes `bytes` to `path` (created or truncated). The error names the path.
std::optional<Error> write_file(const std::string& path, std::string_view bytes);

// Creates directory `path` unless it already exists as a directory.
std::optional<Error> ensure_directory(const std::string& path);

// The name a batch item gets inside its directory: "<index>-<style>.<ext>",
// with any '/' in the style id replaced so the file stays inside the directory.
std::string batch_file_name(unsigned index, std::string_view style_id, std::string_view extension);

}  // namespace stickerd::ctl
