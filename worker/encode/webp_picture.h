// RAII owners for libwebp's C structs, shared by the static and the animated
// encoders (and the encoder benchmark), so no early return can leak pixels or
// output buffers.
#pragma once

#include <webp/encode.h>
#include <webp/mux_types.h>

namespace stickerd::encode {

// Holds a T initialised by Init and released by Free on scope exit.
template <typename T, void (*Init)(T*), void (*Free)(T*)>
class WebpOwner {
 public:
  WebpOwner() { Init(&value_); }
  WebpOwner(const WebpOwner&) = delete;
  WebpOwner& operator=(const WebpOwner&) = delete;
  ~WebpOwner() { Free(&value_); }
  T* get() { return &value_; }

 private:
  T value_;
};

// WebPPictureInit returns a version check that cannot fail for the headers we build with.
inline void init_picture(WebPPicture* p) { WebPPictureInit(p); }

// A picture whose pixel planes are freed on scope exit.
using WebpPicture = WebpOwner<WebPPicture, init_picture, WebPPictureFree>;
// The in-memory sink WebPEncode writes a static file into.
using WebpMemoryWriter = WebpOwner<WebPMemoryWriter, WebPMemoryWriterInit, WebPMemoryWriterClear>;
// The assembled animated file WebPAnimEncoderAssemble hands back.
using WebpData = WebpOwner<WebPData, WebPDataInit, WebPDataClear>;

}  // namespace stickerd::encode
