// Feeding a GLib checksum one field at a time, for the keys and
// fingerprints that hash several strings (the result cache's key, the font
// set's fingerprint).
#pragma once

#include <glib.h>

#include <string_view>

namespace stickerd {

// Adds `field` with its length in front, so no two splits of the same bytes
// hash alike ("ab"+"c" against "a"+"bc").
void checksum_field(GChecksum* sum, std::string_view field);

}  // namespace stickerd
