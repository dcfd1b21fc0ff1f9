"""One blocking Unix-socket connection with a reader thread that routes replies.

Each in-flight request owns a queue.Queue keyed by its id; the reader thread puts
every reply with that id there, so any number of threads can wait on their own
requests over one socket. Replies to ids nobody waits for any more (a request
abandoned after a client-side timeout) are dropped.
"""

import errno
import itertools
import queue
import socket
import threading
import time

from .errors import ConnectionLost
from .framing import DEFAULT_MAX_FRAME_BYTES, encode_message
from .routing import READ_ERRORS, ReplyRouter, closed_error, error_for, stream_error

# Errors that mean "the daemon is not (yet) listening": worth waiting for.
_NOT_LISTENING = (errno.ENOENT, errno.ECONNREFUSED, errno.EAGAIN)


def connect_unix(path, timeout):
    """Connects, retrying while the socket is missing or refusing (a daemon that
    is restarting) until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError as exc:
            sock.close()
            if exc.errno not in _NOT_LISTENING or time.monotonic() >= deadline:
                raise ConnectionLost(f"cannot connect to {path}: {exc.strerror}") from exc
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.2)


class Connection:
    def __init__(self, path, connect_timeout, max_frame_bytes=DEFAULT_MAX_FRAME_BYTES):
        self._sock = connect_unix(path, connect_timeout)
        self._router = ReplyRouter(max_frame_bytes)
        self._lock = threading.Lock()  # guards _mailboxes and _closed
        # Writes have their own lock: a sendall() blocked on a full socket must
        # not stop the reader from routing replies (the daemon may be waiting
        # for us to read before it reads more).
        self._send_lock = threading.Lock()
        self._mailboxes = {}
        self._closed = None  # the StickerdError that ended the connection
        self._ids = itertools.count(1)  # 0 is the daemon's "no request" id
        self._reader = threading.Thread(target=self._read_loop, name="stickerd-reader",
                                        daemon=True)
        self._reader.start()

    @property
    def alive(self):
        return self._closed is None

    def next_id(self):
        return next(self._ids)

    def send(self, request, want_replies=True):
        """Sends a request; returns the queue its replies will arrive on."""
        box = queue.Queue() if want_replies else None
        data = encode_message(request)
        with self._lock:
            if self._closed is not None:
                raise closed_error(request.id, self._closed)
            if box is not None:
                self._mailboxes[request.id] = box  # before sending: the reply may be quick
        with self._send_lock:
            try:
                self._sock.sendall(data)
                return box
            except OSError as exc:
                send_error = exc
        # The daemon is gone even if the reader has not seen EOF yet: mark the
        # connection dead so the next call reconnects.
        lost = ConnectionLost(f"send failed: {send_error}", request.id)
        # The daemon may have said why before it hung up (an id-0 error such as
        # CONNECTION_LIMIT): let the reader take in what is left, then prefer it.
        self._reader.join(timeout=1)
        self._fail_all(lost)
        if self._closed is not lost and self._closed.code is not None:
            raise closed_error(request.id, self._closed) from send_error
        raise lost from send_error

    def forget(self, request_id):
        """Stops routing replies for `request_id` (its caller gave up or is done)."""
        with self._lock:
            self._mailboxes.pop(request_id, None)

    def close(self):
        self._fail_all(ConnectionLost("connection closed by the client"))
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._reader.join(timeout=5)
        self._sock.close()

    def _read_loop(self):
        try:
            while True:
                self._router.absorb(self._sock.recv(1 << 16), self._deliver, self._fail_all)
        except READ_ERRORS as exc:
            self._fail_all(stream_error(exc))

    def _deliver(self, reply):
        with self._lock:
            box = self._mailboxes.get(reply.id)
        if box is not None:
            box.put(reply)

    def _fail_all(self, error):
        with self._lock:
            if self._closed is None:
                self._closed = error
            boxes, self._mailboxes = self._mailboxes, {}
        for request_id, box in boxes.items():
            box.put(error_for(request_id, error))
