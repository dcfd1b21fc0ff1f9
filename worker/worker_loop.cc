// The worker's frame loop.
#include "worker/worker_loop.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <set>
#include <string_view>
#include <vector>

#include "common/frame_io.h"
#include "common/log.h"
#include "common/process_memory.h"
#include "common/test_styles.h"
#include "worker/chaos.h"

namespace stickerd {
namespace {

using Clock = std::chrono::steady_clock;

std::uint32_t micros_since(Clock::time_point start) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

bool parse_int(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

}  // namespace

Result<WorkerOptions> parse_worker_options(int argc, const char* const* argv) {
  auto usage = [](std::string why) {
    return make_error(v1::INVALID_ARGUMENT,
                      why +
                          " (usage: stickerd-worker [--styles DIR] [--slot N] [--fd N] "
                          "[--sandbox on|off] [--max-rss-mb N] [--enable-test-styles])");
  };
  WorkerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--enable-test-styles") {
      options.enable_test_styles = true;
      continue;
    }
    if (i + 1 >= argc) return usage(fmt::format("{} needs a value", arg));
    const std::string_view value = argv[++i];
    if (arg == "--styles") {
      options.styles_dir = std::string(value);
    } else if (arg == "--slot") {
      if (!parse_int(value, options.slot))
        return usage(fmt::format("--slot {} is not a number", value));
    } else if (arg == "--sandbox") {
      if (value != "on" && value != "off")
        return usage(fmt::format("--sandbox {} is not on or off", value));
      options.sandbox = value == "on";
    } else if (arg == "--max-rss-mb") {
      int mb = 0;
      if (!parse_int(value, mb))
        return usage(fmt::format("--max-rss-mb {} is not a number", value));
      options.max_rss_mb = static_cast<std::uint64_t>(mb);
    } else if (arg == "--fd") {
      if (!parse_int(value, options.fd))
        return usage(fmt::format("--fd {} is not a number", value));
    } else {
      return usage(fmt::format("unknown argument {}", arg));
    }
  }
  if (options.styles_dir.empty()) options.styles_dir = default_styles_dir();
  return options;
}

Result<std::uint32_t> warm_up(const StyleCatalogue& catalogue, render::Renderer& renderer) {
  const auto start = Clock::now();
  // Cyrillic and an emoji, so every font the common requests need is opened.
  constexpr std::string_view kText = "Warm-up Привет 🎉";
  std::set<std::string> fonts;
  for (const v1::StyleSpec& style : catalogue.styles()) {
    if (!fonts.insert(style.font()).second) continue;
    for (const bool vector_only : {false, true}) {
      std::vector<render::FrameLook> looks;
      auto scene = renderer.build_scene(kText, style, vector_only, looks);
      if (!scene) return scene.error();
    }
  }
  const v1::StyleSpec* style = catalogue.find(catalogue.default_style_id());
  auto sticker = renderer.render(kText, *style, v1::FORMAT_UNSPECIFIED, v1::PROFILE_TELEGRAM);
  if (!sticker) return sticker.error();
  // A WEBM render of its own would cost ~0.5 s per worker start; one tiny
  // VP9 picture sets libvpx up as well.
  if (auto failed = render::warm_up_encoders()) return *failed;
  return micros_since(start);
}

bool WorkerLoop::send_ready(std::uint32_t warmup_us, const std::string& sandbox) {
  v1::FromWorker msg;
  auto* ready = msg.mutable_ready();
  ready->set_pid(static_cast<std::uint32_t>(::getpid()));
  ready->set_warmup_us(warmup_us);
  ready->set_style_count(static_cast<std::uint32_t>(catalogue_.styles().size()));
  ready->set_sandbox(sandbox);
  return write_frame(fd_, msg);
}

v1::TaskResult WorkerLoop::handle(const v1::Task& task) {
  v1::TaskResult result;
  result.set_task_id(task.task_id());
  std::string style_id = task.style_id().empty() ? catalogue_.default_style_id() : task.style_id();
  if (is_test_style(style_id)) {
    if (auto refused = chaos::run(task, test_styles_)) return *refused;
    style_id = catalogue_.default_style_id();  // test-leak leaked; now render normally
  }
  const v1::StyleSpec* style = catalogue_.find(style_id);
  if (!style) {
    to_proto(
        make_error(v1::UNKNOWN_STYLE, fmt::format("style {} is not in the catalogue", style_id)),
        *result.mutable_error());
    return result;
  }
  const auto start = Clock::now();
  auto rendered = renderer_.render(task.text(), *style, task.format(), task.profile(),
                                   render::RenderOptions{.spare_core = task.spare_core()});
  const std::uint32_t render_us = micros_since(start);
  if (!rendered) {
    to_proto(rendered.error(), *result.mutable_error());
    return result;
  }
  v1::Sticker* s = result.mutable_sticker();
  s->set_data(std::move(rendered->data));
  s->set_format(rendered->format);
  s->set_profile(task.profile() == v1::PROFILE_UNSPECIFIED ? v1::PROFILE_TELEGRAM : task.profile());
  s->set_style_id(style_id);
  s->set_mime_type(rendered->mime_type);
  s->set_width(rendered->width);
  s->set_height(rendered->height);
  s->set_frame_count(rendered->frame_count);
  s->set_duration_ms(rendered->duration_ms);
  s->set_render_us(render_us);
  s->set_quality(rendered->quality);
  return result;
}

int WorkerLoop::run() {
  for (;;) {
    v1::ToWorker msg;
    std::string why;
    switch (read_frame(fd_, decoder_, msg, &why)) {
      case ReadStatus::kEof:
        log::info("channel closed by the master; exiting");
        return kExitOk;
      case ReadStatus::kError:
        log::error("bad frame from the master: {}; exiting", why);
        return kExitProtocol;
      case ReadStatus::kOk:
        break;
    }
    switch (msg.kind_case()) {
      case v1::ToWorker::kTask: {
        v1::FromWorker reply;
        *reply.mutable_result() = handle(msg.task());
        reply.mutable_result()->set_rss_bytes(own_resident_bytes().value_or(0));
        if (!write_frame(fd_, reply)) {
          log::info("master gone while replying to task {}; exiting", msg.task().task_id());
          return kExitOk;
        }
        break;
      }
      case v1::ToWorker::kShutdown:
        log::info("shutdown requested; exiting");
        return kExitOk;
      case v1::ToWorker::KIND_NOT_SET:
        // Master and workers ship together, so an unknown kind is a bug, not a
        // version skew to tolerate.
        log::error("message from the master has no known kind; exiting");
        return kExitProtocol;
    }
  }
}

}  // namespace stickerd
