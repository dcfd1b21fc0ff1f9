// UTF-8 validation: well-formed text passes, every malformed class fails.
#include <doctest/doctest.h>

#include "common/utf8.h"

namespace stickerd {

TEST_CASE("well-formed UTF-8 is accepted") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("Hello"));
  CHECK(is_valid_utf8("Привет, мир! 🎉"));
  CHECK(is_valid_utf8("مرحبا بالعالم"));
  CHECK(is_valid_utf8("नमस्ते"));
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST_CASE("malformed UTF-8 is refused") {
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc3"));              // truncated
  CHECK_FALSE(is_valid_utf8("abc\xe2\x82"));       // truncated at the end
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation
  CHECK_FALSE(is_valid_utf8("\xe2\x28\xa1"));      // bad continuation
}

TEST_CASE("length counts code points") {
  CHECK(utf8_length("") == 0);
  CHECK(utf8_length("abc") == 3);
  CHECK(utf8_length("мир") == 3);
  CHECK(utf8_length("🎉") == 1);
}

}  // namespace stickerd
