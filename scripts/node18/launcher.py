#!/usr/bin/env python3
"""Starts host-built stickerd daemons for tests that run inside a chroot.

scripts/test-node18 runs the Node suites in a minimal Debian 12 root, where
the daemon built on the host cannot run (its libraries, fonts and worker
binary live outside the root). The suites start their own daemons through
$STICKERD_BIN, so inside the root that is `stickerd-via-host`, which connects
here and asks for one daemon. This process starts it on the host and ties
the two lifetimes together:

* the connection lives exactly as long as the daemon: the daemon's output is
  relayed, its exit status is the last message, and a connection that drops
  (the stand-in was SIGKILLed) kills the daemon;
* signals the stand-in receives (SIGTERM, SIGINT, SIGKILL by timeout) are
  forwarded, so the suites' graceful-stop paths are exercised for real;
* absolute paths in the arguments (--socket, --styles) are paths inside the
  root, so they get the root's host path as a prefix. A Unix socket is a
  file: the daemon binds it inside the root's tree and the chrooted client
  connects to the same inode.

Messages are JSON lines. Stand-in -> here: {"args": [...], "cwd": "/..."}, then
{"signal": "SIGTERM"}... Here -> stand-in: {"out": "..."} lines, then
{"exit": CODE, "signal": NAME-or-null}.

Usage: launcher.py SOCKET ROOT STICKERD_BIN (runs until SIGTERM).
"""
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading

SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT, "SIGKILL": signal.SIGKILL, "SIGHUP": signal.SIGHUP}


def host_path(root: str, arg: str) -> str:
    """Maps an absolute path inside the root (also in --opt=/path) to the host."""
    if arg.startswith("/"):
        return root + arg
    if arg.startswith("--") and "=/" in arg:
        name, _, value = arg.partition("=")
        return f"{name}={root}{value}"
    return arg


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        root, binary = self.server.root, self.server.binary  # type: ignore[attr-defined]
        send_lock = threading.Lock()

        def send(message: dict) -> None:
            with send_lock:
                try:
                    self.wfile.write((json.dumps(message) + "\n").encode())
                    self.wfile.flush()
                except OSError:
                    pass  # the stand-in is gone; the reader below kills the daemon

        first = self.rfile.readline()
        if not first:
            return
        request = json.loads(first)
        args = [host_path(root, a) for a in request["args"]]
        # The stand-in's working directory, so relative defaults land where
        # they would without the chroot (inside the root).
        cwd = host_path(root, request.get("cwd", "/"))
        try:
            proc = subprocess.Popen([binary, *args], cwd=cwd if os.path.isdir(cwd) else root,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as err:
            send({"out": f"launcher: cannot start {binary}: {err}\n"})
            send({"exit": 127, "signal": None})
            return
        self.server.running.add(proc)  # type: ignore[attr-defined]

        def relay_output() -> None:
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):  # type: ignore[union-attr]
                send({"out": chunk.decode(errors="replace")})

        def forward_signals() -> None:
            # Until the stand-in hangs up; a hang-up while the daemon runs means
            # the stand-in died without a word, so the daemon must not outlive it.
            for line in self.rfile:
                name = json.loads(line).get("signal")
                if name in SIGNALS and proc.poll() is None:
                    proc.send_signal(SIGNALS[name])
            if proc.poll() is None:
                proc.kill()

        output = threading.Thread(target=relay_output, daemon=True)
        output.start()
        threading.Thread(target=forward_signals, daemon=True).start()
        code = proc.wait()
        self.server.running.discard(proc)  # type: ignore[attr-defined]
        output.join(timeout=5)
        if code < 0:
            send({"exit": None, "signal": signal.Signals(-code).name})
        else:
            send({"exit": code, "signal": None})


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def main() -> None:
    sock, root, binary = sys.argv[1:4]
    if os.path.exists(sock):
        os.unlink(sock)
    server = Server(sock, Handler)
    server.root = os.path.abspath(root)  # type: ignore[attr-defined]
    server.binary = binary  # type: ignore[attr-defined]
    server.running = set()  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    for proc in list(server.running):  # type: ignore[attr-defined]
        proc.kill()  # a suite that was interrupted leaves no daemon behind
    os.unlink(sock)


if __name__ == "__main__":
    main()
