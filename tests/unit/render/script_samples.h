// The script samples of docs/scripts.tsv: a sentence in each living script
// stickerd promises to draw. Shared with the contact sheet docs/scripts.png
// (scripts/make-scripts-image), so the picture shows what the test checks.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace stickerd::test {

struct ScriptSample {
  std::string script;
  std::string text;
};

// STICKERD_SCRIPTS_TSV is the source tree's docs/scripts.tsv (meson.build).
inline const std::vector<ScriptSample>& script_samples() {
  static const std::vector<ScriptSample> samples = [] {
    std::vector<ScriptSample> out;
    std::ifstream in(STICKERD_SCRIPTS_TSV);
    REQUIRE_MESSAGE(in.good(), "cannot read ", STICKERD_SCRIPTS_TSV);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto tab = line.find('\t');
      REQUIRE_MESSAGE(tab != std::string::npos, "no TAB in: ", line);
      out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
    return out;
  }();
  return samples;
}

}  // namespace stickerd::test
