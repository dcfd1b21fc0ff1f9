// The --metrics-address setting: where the Prometheus endpoint listens.
// Checked when the configuration is read, so --check-config refuses a bad
// one, and parsed again when the endpoint starts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace stickerd {

// "HOST:PORT" with a port from 0 to 65535 (0 picks a free one; an IPv6 host
// goes in brackets, "[::1]:9464"), or nothing when "" or "none".
Result<std::optional<std::string>> parse_metrics_address(std::string_view text);

}  // namespace stickerd
