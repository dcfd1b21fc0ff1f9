// ConnectionLimits: the total and per-uid connection limits, and the idle rule.
#include "master/ingress/connection_limits.h"

#include <doctest/doctest.h>

namespace stickerd {

using Verdict = ConnectionLimits::Verdict;

TEST_CASE("one uid is held to its own limit while other uids still get in") {
  ConnectionLimits limits({.max_total = 10, .max_per_uid = 3});
  for (int i = 0; i < 3; ++i) CHECK(limits.admit(1000) == Verdict::kAdmit);
  CHECK(limits.admit(1000) == Verdict::kUidFull);
  CHECK(limits.of_uid(1000) == 3);  // a refusal is not counted
  CHECK(limits.admit(0) == Verdict::kAdmit);
  CHECK(limits.admit(1001) == Verdict::kAdmit);
  CHECK(limits.total() == 5);
  SUBCASE("a closed connection gives its uid a slot back") {
    limits.release(1000);
    CHECK(limits.of_uid(1000) == 2);
    CHECK(limits.admit(1000) == Verdict::kAdmit);
  }
}

TEST_CASE("the total limit applies to every uid, and a peer of unknown uid only to it") {
  ConnectionLimits limits({.max_total = 3, .max_per_uid = 2});
  CHECK(limits.admit(std::nullopt) == Verdict::kAdmit);
  CHECK(limits.admit(std::nullopt) == Verdict::kAdmit);
  CHECK(limits.admit(std::nullopt) == Verdict::kAdmit);
  CHECK(limits.admit(7) == Verdict::kTotalFull);
  limits.release(std::nullopt);
  CHECK(limits.admit(7) == Verdict::kAdmit);
  CHECK(limits.total() == 3);
}

TEST_CASE("a per-uid limit of 0 means none") {
  ConnectionLimits limits({.max_total = 5, .max_per_uid = 0});
  for (int i = 0; i < 5; ++i) CHECK(limits.admit(42) == Verdict::kAdmit);
  CHECK(limits.admit(42) == Verdict::kTotalFull);
}

TEST_CASE("a lowered limit refuses newcomers and keeps the connections already in") {
  ConnectionLimits limits({.max_total = 10, .max_per_uid = 4});
  for (int i = 0; i < 4; ++i) REQUIRE(limits.admit(5) == Verdict::kAdmit);
  limits.set_limits({.max_total = 10, .max_per_uid = 2});
  CHECK(limits.admit(5) == Verdict::kUidFull);
  CHECK(limits.of_uid(5) == 4);
  limits.release(5);
  limits.release(5);
  CHECK(limits.admit(5) == Verdict::kUidFull);
  limits.release(5);
  CHECK(limits.admit(5) == Verdict::kAdmit);
}

TEST_CASE("refusal messages name the limit and the flag") {
  const ConnectionLimitSettings s{.max_total = 9, .max_per_uid = 4};
  const std::string total = refusal_message(Verdict::kTotalFull, s, 1000);
  CHECK(total.find("limit of 9") != std::string::npos);
  CHECK(total.find("--max-connections") != std::string::npos);
  const std::string uid = refusal_message(Verdict::kUidFull, s, 1000);
  CHECK(uid.find("uid 1000") != std::string::npos);
  CHECK(uid.find("--max-connections-per-uid") != std::string::npos);
}

TEST_CASE("a connection idles out only with nothing in flight, after the whole timeout") {
  CHECK_FALSE(idle_expired(1000, 1999, 1000, false));
  CHECK(idle_expired(1000, 2000, 1000, false));
  CHECK_FALSE(idle_expired(1000, 9000, 1000, true));   // a request in flight
  CHECK_FALSE(idle_expired(1000, 99000, 0, false));    // 0: never
  CHECK_FALSE(idle_expired(5000, 4000, 1000, false));  // activity "after" now: not idle
}

}  // namespace stickerd
