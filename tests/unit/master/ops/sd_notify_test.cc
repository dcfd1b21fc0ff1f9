#include "master/ops/sd_notify.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("the watchdog is on only for a positive interval meant for this process") {
  CHECK(watchdog_usec("200000", nullptr, 42) == 200000u);
  CHECK(watchdog_usec("200000", "", 42) == 200000u);
  CHECK(watchdog_usec("200000", "42", 42) == 200000u);
  CHECK_FALSE(watchdog_usec("200000", "43", 42).has_value());
  CHECK_FALSE(watchdog_usec("0", nullptr, 42).has_value());
  CHECK_FALSE(watchdog_usec("abc", nullptr, 42).has_value());
  CHECK_FALSE(watchdog_usec(nullptr, nullptr, 42).has_value());
}

TEST_CASE("a reload notification carries the monotonic timestamp newer systemd needs") {
  CHECK(reloading_message(1234) == "RELOADING=1\nMONOTONIC_USEC=1234\nSTATUS=reloading");
}

}  // namespace stickerd
