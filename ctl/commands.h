// The stickerctl commands: each sends its request over `client`, prints the
// outcome and returns the process exit code (see exit_codes.h).
#pragma once

#include "ctl/client.h"
#include "ctl/options.h"

namespace stickerd::ctl {

int run_render(Client& client, const Options& options);
int run_batch(Client& client, const Options& options);
int run_gallery(Client& client, const Options& options);
int run_stats(Client& client, const Options& options);
int run_styles(Client& client, const Options& options);
int run_poison(Client& client, const Options& options);
// Local: the font set of $STICKERD_STYLES_DIR (else the installed styles), no daemon.
int run_fonts(const Options& options);
// TEXT is a file of "label<TAB>text" lines: each text in one style, on one contact sheet.
int run_sheet(Client& client, const Options& options);
// Control commands (the control socket).
int run_workers(Client& client, const Options& options);
int run_top(Client& client, const Options& options);
int run_cache_top(Client& client, const Options& options);
int run_cluster(Client& client, const Options& options);  // cluster mode: nodes and streams
int run_control(Client& client,
                const Options& options);  // scale, drain, resume, restart-workers, reload

// Sends `request` and waits for its final reply; a reply for another id is a
// transport failure (stickerctl has one request in flight).
Result<v1::Reply> call(Client& client, const v1::Request& request);

}  // namespace stickerd::ctl
