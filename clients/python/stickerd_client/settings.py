"""The settings both clients (blocking and asyncio) take."""

from .framing import DEFAULT_MAX_FRAME_BYTES
from .socket_path import default_socket_path


class ClientSettings:
    """`path`: the daemon's socket (default: default_socket_path());
    `timeout`: the default per-call timeout in seconds (None: wait forever);
    `connect_timeout`: how long to wait for a socket that is missing or refusing
    (a restarting daemon); `retries_on_disconnect`: how often an idempotent call
    is re-sent on a new connection when the daemon went away before answering;
    `max_frame_bytes`: the largest reply accepted."""

    def __init__(self, path=None, *, timeout=None, connect_timeout=5.0,
                 retries_on_disconnect=1, max_frame_bytes=DEFAULT_MAX_FRAME_BYTES):
        self.path = path or default_socket_path()
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retries_on_disconnect = retries_on_disconnect
        self.max_frame_bytes = max_frame_bytes
        self._conn = None
