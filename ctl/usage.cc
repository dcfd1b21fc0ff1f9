// stickerctl --help text.
#include "ctl/usage.h"

#include "ctl/exit_codes.h"

namespace stickerd::ctl {

std::string usage_text() {
  return R"(usage: stickerctl [--socket PATH] [--timeout SEC] COMMAND [ARGS]

Talks to a running stickerd over its client socket.

commands:
  render TEXT -o FILE [--style ID] [--format F] [--profile P]
      Renders one sticker into FILE and prints a summary line
      (style, format, size, frames, bytes, render time).
  batch TEXT -o DIR [--styles ID,ID,...] [--format F] [--profile P]
      Renders TEXT in several styles (default: every style), writing
      DIR/<index>-<style>.<ext> as each result arrives. Exits with the
      code of the first failed style, if any failed.
  gallery TEXT -o DIR [--styles ID,ID,...] [--contact-sheet FILE] [--json]
      Renders TEXT in every style (or those listed) and every format each
      declares, writes the files and DIR/index.html showing them side by
      side (size, render time); each TGS also gets DIR/<style>-tgs.preview.webp,
      its rlottie playback. --contact-sheet writes one labelled picture per
      style to the PNG FILE; --json prints the files written.
  sheet FILE --contact-sheet PNG [--style ID] [--format F]
      FILE holds one "label<TAB>text" per line (# starts a comment):
      renders each text in one style and writes them, labelled, on one
      contact sheet (docs/scripts.png: scripts/make-scripts-image).
      Exits with the code of the first failed text, if any failed.
  stats [--json]
      The daemon's workers, queue and counters.
  styles [--json]
      The style catalogue (* marks the default style).
  fonts [--json]
      The font set the renderer draws with (styles/fonts.json, read from
      $STICKERD_STYLES_DIR or the installed styles; no daemon needed):
      its fingerprint (part of every cache key), each file with its
      family, style, version and the scripts (ISO 15924) it has letters
      of, the fallback order, and every script the set covers.
  poison [--json]
      Requests refused as POISONED because they kept killing workers:
      style, text, what killed the last worker, kills, refusals, age.

control commands (on the control socket; root or the daemon's user):
  workers [--json]
      Each worker slot: pid, state, tasks done, memory (RSS), uptime,
      and why its previous worker ended (crash with the signal or exit
      code, deadline, recycle, memory, restart, scale-down, ...).
  top [--json]
      workers and stats, refreshed every second; q, Ctrl-C or the end
      of input quits.
  cache top [--json]
      The 20 texts asked for most lately (an estimate that fades with
      age), each with its count.
  cluster [--json]
      Cluster mode (--redis): every live node of the node registry
      (workers, idle, busy, queue, tasks completed, entries it
      reclaimed from silent nodes and dead-lettered, last seen), each
      task stream's depth, pending entries and lag, and the entries in
      the dead-letter stream, read from Redis by the node asked. Without --redis: "not in cluster mode"; with
      Redis unreachable: "redis degraded" within a few seconds.
  scale N [--json]
      Grows or shrinks the pool to N workers; shrinking lets busy
      workers finish their task first.
  drain [--exit] [--json]
      New render requests get SHUTTING_DOWN; queued work finishes.
      Without --exit this is a pause that resume ends; with --exit it
      is what SIGTERM does: accepted work has the drain grace period
      to finish, what is left is answered SHUTTING_DOWN, then
      stickerd exits 0.
  resume [--json]
      Accepts render requests again after drain.
  restart-workers [--json]
      Replaces every worker, one at a time, each after its current
      task; returns when the last new worker is ready, or with
      SHUTTING_DOWN if the daemon stops first.
  reload [--json]
      Re-reads the configuration and the style catalogue (as SIGHUP
      does); prints each change as applied or as needing a restart.

options:
  --socket PATH   the daemon's socket (default: $STICKERD_SOCKET, else
                  $RUNTIME_DIRECTORY/stickerd.sock, else ./run/stickerd.sock)
  --control-socket PATH
                  the control socket (default: $STICKERD_CONTROL_SOCKET,
                  else $RUNTIME_DIRECTORY/control.sock, else ./run/control.sock)
  --timeout SEC   give up waiting for a reply after SEC seconds (default 120)
  --format F      webp, png, webp_animated, tgs or webm (default: the style's own)
  --profile P     telegram, whatsapp, none or telegram-emoji (100x100 custom
                  emoji; TGS stays 512) (default: telegram)
  --json          print the reply as JSON
  --              end of options: a TEXT that starts with '-' follows
  -h, --help      this text
  --version       the version

exit codes:
)" + exit_code_table();
}

}  // namespace stickerd::ctl
