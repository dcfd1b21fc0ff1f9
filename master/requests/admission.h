// Admission: validates and normalises a render or batch request before any
// per-task state exists, so a bad request costs nothing but its error reply.
// Pure: a function of the request, the style catalogue and the limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/style_catalogue.h"
#include "master/pool/task.h"
#include "stickerd.pb.h"

namespace stickerd {

struct AdmissionLimits {
  std::size_t max_text_length = 256;  // code points, after trimming
  std::size_t max_batch_styles = 256;
  // The daemon's deadline: a request may ask for less, never more; 0 in a
  // request means this.
  std::uint32_t deadline_ms = 10'000;
  // Accept the test styles (common/test_styles.h); otherwise UNKNOWN_STYLE.
  bool enable_test_styles = false;
};

// INVALID_ARGUMENT (bad UTF-8, empty text, enum out of range, format the
// style does not declare), TEXT_TOO_LONG or UNKNOWN_STYLE; otherwise the
// normalised spec (trimmed text, default style and format filled in).
Result<TaskSpec> admit_render(const v1::RenderRequest& request, const StyleCatalogue& catalogue,
                              const AdmissionLimits& limits);

// One style of a batch: its spec, or the error that item will be answered with.
struct BatchItemPlan {
  std::string style_id;
  Result<TaskSpec> spec;
};

// Problems with the batch as a whole (text, enums, too many styles) reject
// it; a problem with one style (unknown, format not declared) only fails
// that item. An empty style list means every style in the catalogue.
Result<std::vector<BatchItemPlan>> admit_batch(const v1::BatchRequest& request,
                                               const StyleCatalogue& catalogue,
                                               const AdmissionLimits& limits);

}  // namespace stickerd
