// Unit tests for master/poison_list: fingerprints, refusal and expiry.
#include <doctest/doctest.h>

#include "master/requests/poison_list.h"

using namespace stickerd;

namespace {

TaskSpec spec(std::string text, std::string style = "classic") {
  TaskSpec s;
  s.text = std::move(text);
  s.style_id = std::move(style);
  return s;
}

}  // namespace

TEST_CASE("identical requests share a fingerprint and different ones do not") {
  const auto a = request_fingerprint(spec("hello"), "cfg1");
  CHECK(a == request_fingerprint(spec("hello"), "cfg1"));
  CHECK(a != request_fingerprint(spec("hello!"), "cfg1"));
  CHECK(a != request_fingerprint(spec("hello"), "cfg2"));
  TaskSpec png = spec("hello");
  png.format = v1::FORMAT_PNG;
  CHECK(a != request_fingerprint(png, "cfg1"));
  TaskSpec wa = spec("hello");
  wa.profile = v1::PROFILE_WHATSAPP;
  CHECK(a != request_fingerprint(wa, "cfg1"));
}

TEST_CASE("a poisoned request is refused until its TTL passes") {
  PoisonList list(1'000);
  const auto fp = request_fingerprint(spec("boom"), "c");
  CHECK(list.refuse(fp, 0) == nullptr);
  list.add(fp, spec("boom"), DeathCause{6, 0}, 2, 100);
  const PoisonEntry* e = list.refuse(fp, 500);
  REQUIRE(e != nullptr);
  CHECK(e->kills == 2);
  CHECK(e->cause.term_signal == 6);
  CHECK(e->refused == 1);
  CHECK(list.refuse(fp, 1'099) != nullptr);
  CHECK(list.refuse(fp, 1'100) == nullptr);
  CHECK(list.size() == 0);
}

TEST_CASE("the list shows live entries oldest first with their reasons") {
  PoisonList list(10'000);
  list.add(1, spec("a"), DeathCause{9, 0}, 2, 50);
  list.add(2, spec("b"), DeathCause{0, 3}, 2, 10);
  auto entries = list.list(100);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].fingerprint == 2);
  CHECK(entries[0].cause.exit_code == 3);
  CHECK(entries[1].text_preview == "a");
  CHECK(list.list(20'000).empty());
}

TEST_CASE("a long text is shown cut on a character boundary") {
  PoisonList list(10'000);
  std::string text(39, 'x');
  text += "é and more";
  list.add(1, spec(text), DeathCause{}, 2, 0);
  const auto preview = list.list(0)[0].text_preview;
  CHECK(preview == std::string(39, 'x') + "…");
}
