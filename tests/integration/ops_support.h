// Helpers for the operations tests: a blocking HTTP GET on loopback, the
// metrics port a daemon reports in its log, reading one sample out of a
// Prometheus text exposition, running a shell command, and the control
// socket's worker table.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "tests/integration/harness.h"

namespace stickerd::itest {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// GET http://127.0.0.1:<port><path>; nullopt when nothing answers in time.
std::optional<HttpResponse> http_get(int port, const std::string& path,
                                     std::chrono::milliseconds timeout = 5s);

// The port from the daemon's "metrics on ... (port N)" log line; waits for it.
int metrics_port(const Daemon& daemon, std::chrono::milliseconds timeout = 10s);

// The value of the sample whose name and labels are exactly `series`
// ("name" or "name{a=\"b\"}"), as the exposition prints them.
std::optional<double> sample_value(const std::string& exposition, const std::string& series);

// `sh -c command`: exit status and combined output.
struct ShellRun {
  int exit_code = -1;
  std::string output;
};
ShellRun run_shell(const std::string& command, const std::string& scratch_dir);

// Whether `program` is on PATH.
bool have_program(const std::string& program);

// The daemon's control socket (the harness puts it in the daemon's directory).
std::string control_socket(const Daemon& daemon);
// The workers reply, asked on the control socket directly.
v1::WorkerList worker_list(const Daemon& daemon);

}  // namespace stickerd::itest
