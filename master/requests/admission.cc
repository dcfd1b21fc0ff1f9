// Admission: the checks every render goes through before it may be queued.
#include "master/requests/admission.h"

#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "common/format_rules.h"
#include "common/test_styles.h"
#include "common/utf8.h"

namespace stickerd {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(kSpace);
  return s.substr(first, last - first + 1);
}

// Shared by render and batch: the text, and the enums that do not depend on
// the style. Fills `spec` on success.
std::optional<Error> check_common(const std::string& text, int profile, int priority,
                                  std::uint32_t deadline_ms, const AdmissionLimits& limits,
                                  TaskSpec& spec) {
  if (!is_valid_utf8(text)) {
    return make_error(v1::INVALID_ARGUMENT, "the text is not valid UTF-8");
  }
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) {
    return make_error(v1::INVALID_ARGUMENT,
                      "the text is empty; send at least one visible character");
  }
  if (const auto n = utf8_length(trimmed); n > limits.max_text_length) {
    return make_error(v1::TEXT_TOO_LONG, fmt::format("the text has {} characters; the limit is {}",
                                                     n, limits.max_text_length));
  }
  if (!v1::Profile_IsValid(profile)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("unknown profile value {}", profile));
  }
  if (!v1::Priority_IsValid(priority)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("unknown priority value {}", priority));
  }
  spec.text = std::string(trimmed);
  spec.profile =
      profile == v1::PROFILE_UNSPECIFIED ? v1::PROFILE_TELEGRAM : static_cast<v1::Profile>(profile);
  spec.priority = priority == v1::PRIORITY_UNSPECIFIED ? v1::PRIORITY_INTERACTIVE
                                                       : static_cast<v1::Priority>(priority);
  spec.deadline_ms =
      deadline_ms == 0 || deadline_ms > limits.deadline_ms ? limits.deadline_ms : deadline_ms;
  return std::nullopt;
}

// Resolves the style and the format for one spec whose common part is filled.
Result<TaskSpec> bind_style(TaskSpec spec, const std::string& style_id, int format,
                            const StyleCatalogue& catalogue, const AdmissionLimits& limits) {
  const std::string& id = style_id.empty() ? catalogue.default_style_id() : style_id;
  // A test style behaves like the default style as far as formats go; without
  // the flag it does not exist.
  const bool test_style = limits.enable_test_styles && is_test_style(id);
  const v1::StyleSpec* style = catalogue.find(test_style ? catalogue.default_style_id() : id);
  if (style == nullptr) {
    return make_error(v1::UNKNOWN_STYLE,
                      fmt::format("no style '{}'; list_styles shows the available ones", id));
  }
  if (!v1::Format_IsValid(format)) {
    return make_error(v1::INVALID_ARGUMENT, fmt::format("unknown format value {}", format));
  }
  v1::Format f = static_cast<v1::Format>(format);
  if (f == v1::FORMAT_UNSPECIFIED) f = default_format_for(*style, spec.profile);
  if (!StyleCatalogue::supports(*style, f)) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("style '{}' does not offer format {}", id, format_name(f)));
  }
  if (auto conflict = format_profile_conflict(f, spec.profile)) {
    return make_error(v1::INVALID_ARGUMENT, *conflict);
  }
  spec.style_id = id;
  spec.format = f;
  return spec;
}

}  // namespace

Result<TaskSpec> admit_render(const v1::RenderRequest& request, const StyleCatalogue& catalogue,
                              const AdmissionLimits& limits) {
  TaskSpec spec;
  if (auto e = check_common(request.text(), request.profile(), request.priority(),
                            request.deadline_ms(), limits, spec)) {
    return *e;
  }
  return bind_style(std::move(spec), request.style_id(), request.format(), catalogue, limits);
}

Result<std::vector<BatchItemPlan>> admit_batch(const v1::BatchRequest& request,
                                               const StyleCatalogue& catalogue,
                                               const AdmissionLimits& limits) {
  TaskSpec common;
  if (auto e = check_common(request.text(), request.profile(), request.priority(),
                            request.deadline_ms(), limits, common)) {
    return *e;
  }
  if (!v1::Format_IsValid(request.format())) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("unknown format value {}", request.format()));
  }
  if (static_cast<std::size_t>(request.style_ids_size()) > limits.max_batch_styles) {
    return make_error(v1::INVALID_ARGUMENT,
                      fmt::format("a batch names {} styles; the limit is {}",
                                  request.style_ids_size(), limits.max_batch_styles));
  }
  std::vector<std::string> ids(request.style_ids().begin(), request.style_ids().end());
  if (ids.empty()) {
    // "Every style" means every style that can serve this format and
    // profile: a WhatsApp batch leaves out TGS-only styles rather than
    // failing them one by one.
    for (const auto& style : catalogue.styles()) {
      if (bind_style(common, style.id(), request.format(), catalogue, limits).ok()) {
        ids.push_back(style.id());
      }
    }
    // Nothing can serve it (webp_animated for Telegram): say why, rather
    // than answer an empty batch_done that looks like success.
    if (ids.empty()) {
      const auto format = static_cast<v1::Format>(request.format());
      if (auto conflict = format_profile_conflict(format, common.profile)) {
        return make_error(v1::INVALID_ARGUMENT, *conflict);
      }
      return make_error(v1::INVALID_ARGUMENT,
                        fmt::format("no style in the catalogue offers format {} for profile {}",
                                    format_name(format), profile_name(common.profile)));
    }
  }
  std::vector<BatchItemPlan> plan;
  plan.reserve(ids.size());
  for (auto& id : ids) {
    // An empty id in a batch means the default style, as in a single render.
    const std::string& resolved = id.empty() ? catalogue.default_style_id() : id;
    plan.push_back(
        BatchItemPlan{resolved, bind_style(common, resolved, request.format(), catalogue, limits)});
  }
  return plan;
}

}  // namespace stickerd
