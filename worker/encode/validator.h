// The platform rules, checked on the finished bytes: a file that breaks one is
// never sent as a success. One table (stickers.md §0) drives the caps that the
// encoders aim for and the checks made here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "stickerd.pb.h"

namespace stickerd::encode {

// The byte cap for a format in a profile; 0: none.
std::size_t max_bytes(v1::Format format, v1::Profile profile);

// nullopt when `bytes` obey every rule for (format, profile); otherwise the
// first broken rule, as a sentence.
std::optional<std::string> check_sticker(std::string_view bytes, v1::Format format,
                                         v1::Profile profile);

// The rule the bytes cannot show: every glyph of the text came from a font.
// `unknown_glyphs` is the layout's count of glyphs drawn as boxes; nullopt
// when it is 0.
std::optional<std::string> check_text(int unknown_glyphs);

// TGS pieces, exposed for tests: gunzip (nullopt when not gzip).
std::optional<std::string> gunzip(std::string_view bytes);

}  // namespace stickerd::encode
