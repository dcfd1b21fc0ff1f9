"""Where the daemon listens by default; the same rule as common/socket_path.cc."""

import os


def default_socket_path() -> str:
    """$STICKERD_SOCKET, else $RUNTIME_DIRECTORY/stickerd.sock (first entry of a
    colon-separated list, as systemd passes it), else ./run/stickerd.sock."""
    explicit = os.environ.get("STICKERD_SOCKET")
    if explicit:
        return explicit
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":", 1)[0]
    return os.path.join(runtime or "./run", "stickerd.sock")
