// parse_metrics_address: the HOST:PORT rules, without Prometheus.
#include "master/config/metrics_address.h"

#include <charconv>

#include <fmt/format.h>

namespace stickerd {

Result<std::optional<std::string>> parse_metrics_address(std::string_view text) {
  if (text.empty() || text == "none") return std::optional<std::string>{};
  const auto colon = text.rfind(':');
  const std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
  const std::string_view port =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  unsigned long number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  const bool port_ok =
      !port.empty() && ec == std::errc() && end == port.data() + port.size() && number <= 65535;
  // A bare IPv6 host would make the last colon ambiguous.
  const bool host_ok = !host.empty() && (host.find(':') == std::string_view::npos ||
                                         (host.front() == '[' && host.back() == ']'));
  if (colon == std::string_view::npos || !port_ok || !host_ok) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("--metrics-address: '{}' is not HOST:PORT with a port from 0 to "
                                  "65535 (or '' / none to disable)",
                                  text));
  }
  return std::optional<std::string>(std::string(text));
}

}  // namespace stickerd
