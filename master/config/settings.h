// Settings: the table of every setting (settings.cc), the one place a
// setting is declared; the parser, --help, --check-config, the config file
// and reload all read it.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "master/config/setting.h"

namespace stickerd {

// Every setting, in --check-config's order.
std::span<const Setting> settings();

// The rows in --help's order: by Section, the table's order within one.
std::vector<const Setting*> settings_by_section();

// The row of `flag` ("--workers"), or null.
const Setting* find_setting(std::string_view flag);

// The row whose DaemonConfig field is `key` ("workers"), or null.
const Setting* find_file_setting(std::string_view key);

// --config: read by main() through config_file_path(), known to the parser
// so that it is no unknown argument.
const Setting& config_file_setting();

}  // namespace stickerd
