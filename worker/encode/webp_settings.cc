// The WebPConfig for a set of sticker settings.
#include "worker/encode/webp_settings.h"

namespace stickerd::encode {

Result<WebPConfig> webp_config(const WebpSettings& settings, std::uint32_t quality) {
  WebPConfig config;
  if (!WebPConfigInit(&config)) return make_error(v1::INTERNAL, "libwebp version mismatch");
  config.quality = static_cast<float>(quality);
  config.method = settings.method;
  config.alpha_filtering = settings.alpha_filtering;
  config.alpha_quality = settings.alpha_quality;
  config.thread_level = settings.thread_level;
  if (!WebPValidateConfig(&config))
    return make_error(v1::INTERNAL, "invalid WebP encoder settings");
  return config;
}

}  // namespace stickerd::encode
