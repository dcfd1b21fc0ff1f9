// The first frame of a sticker file as a cairo surface, for the contact
// sheet. Frame 0 is the one every platform shows as the still, and the one
// stickerd guarantees shows the whole text.
#pragma once

#include <string_view>

#include "common/error.h"
#include "common/picture/handles.h"
#include "stickerd.pb.h"

namespace stickerd::ctl {

// An ARGB32 surface of the sticker's size (TGS: 512 px).
Result<picture::CairoSurfacePtr> sticker_picture(std::string_view bytes, v1::Format format);

}  // namespace stickerd::ctl
