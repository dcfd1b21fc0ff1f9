"""Blocking client. Thread-safe: many threads may share one Client, and their
requests are multiplexed over one connection.

    with Client() as c:
        sticker = c.render("hello", "classic", timeout=10)
        for item in c.batch("hello"):
            print(item.index, item.style_id, item.ok)
"""

import queue
import threading
import time

from . import protocol
from .connection import Connection
from .errors import ConnectionLost, RequestTimeout
from .settings import ClientSettings


class _Deadline:
    def __init__(self, timeout):
        self.at = None if timeout is None else time.monotonic() + timeout

    def remaining(self):
        return None if self.at is None else max(0.0, self.at - time.monotonic())


class Client(ClientSettings):
    """Blocking client; ClientSettings lists the arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()

    # -- connection management -------------------------------------------------

    def _connection(self):
        """The live connection, reconnecting if the old one died."""
        with self._lock:
            if self._conn is None or not self._conn.alive:
                if self._conn is not None:
                    self._conn.close()
                self._conn = Connection(self.path, self.connect_timeout, self.max_frame_bytes)
            return self._conn

    def connect(self):
        self._connection()
        return self

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------

    def submit(self, build):
        """Sends the request `build(id)` and returns a Call to wait on or cancel."""
        conn = self._connection()
        request = build(conn.next_id())
        return Call(self, conn, request, conn.send(request))

    def render(self, text, style_id="", *, format=0, profile=0, priority=0, deadline_ms=0,
               timeout=None):
        """Renders one sticker; returns a stickerd_pb2.Sticker or raises StickerdError."""
        timeout = self.timeout if timeout is None else timeout
        deadline_ms = protocol.deadline_for(timeout, deadline_ms)

        def build(rid):
            return protocol.render_request(rid, text, style_id, format=format, profile=profile,
                                           priority=priority, deadline_ms=deadline_ms)
        return self._retrying(build, "sticker", timeout)

    def stats(self, timeout=None):
        return self._retrying(protocol.stats_request, "stats",
                              self.timeout if timeout is None else timeout)

    def styles(self, timeout=None):
        """The style catalogue: a stickerd_pb2.StyleList."""
        return self._retrying(protocol.styles_request, "styles",
                              self.timeout if timeout is None else timeout)

    def batch(self, text, style_ids=(), *, format=0, profile=0, priority=0, deadline_ms=0,
              timeout=None):
        """One text in many styles (empty `style_ids`: every style). Returns a
        BatchStream: iterate it for BatchItems in completion order; `.done` then
        holds the BatchDone."""
        timeout = self.timeout if timeout is None else timeout
        deadline_ms = protocol.deadline_for(timeout, deadline_ms)

        def build(rid):
            return protocol.batch_request(rid, text, style_ids, format=format, profile=profile,
                                          priority=priority, deadline_ms=deadline_ms)
        return BatchStream(self, build, timeout)

    def cancel(self, request_id, timeout=None):
        """Cancels request `request_id` of this client's connection; returns whether
        the daemon still had it pending. Prefer Call.cancel()."""
        conn = self._connection()
        call = Call(self, conn, None, None)
        return call._cancel_id(request_id, self.timeout if timeout is None else timeout)

    def _retrying(self, build, expected, timeout):
        deadline = _Deadline(timeout)
        attempts = self.retries_on_disconnect
        while True:
            try:
                # A send can fail too: the reader may not have seen the old
                # connection's EOF yet when the daemon has just restarted.
                return self.submit(build).result(deadline.remaining(), expected)
            except ConnectionLost:
                if attempts <= 0:
                    raise
                attempts -= 1


class Call:
    """One request in flight: `.id`, `.result(timeout)`, `.cancel()`."""

    def __init__(self, client, conn, request, box):
        self._client = client
        self._conn = conn
        self.request = request
        self.id = request.id if request is not None else None
        self._box = box

    def next_reply(self, timeout):
        """The next reply for this request; on timeout, cancels it and raises."""
        try:
            reply = self._box.get(timeout=timeout)
        except queue.Empty:
            self.abandon()
            raise RequestTimeout(f"no reply within {timeout:.3f}s; request cancelled",
                                 request_id=self.id) from None
        if isinstance(reply, Exception):
            raise reply
        return reply

    def result(self, timeout=None, expected="sticker"):
        try:
            return protocol.final_body(self.next_reply(timeout), expected)
        finally:
            self._conn.forget(self.id)

    def abandon(self):
        """Tells the daemon to stop (fire-and-forget) and drops any late reply."""
        self._conn.forget(self.id)
        try:
            cancel = protocol.cancel_request(self._conn.next_id(), self.id)
            self._conn.send(cancel, want_replies=False)
        except ConnectionLost:
            pass  # nothing left to cancel

    def cancel(self, timeout=None):
        """Cancels this request. Returns CancelReply.found; the waiter of this call
        then gets Cancelled (if it was still pending)."""
        return self._cancel_id(self.id, timeout)

    def _cancel_id(self, target_id, timeout):
        request = protocol.cancel_request(self._conn.next_id(), target_id)
        box = self._conn.send(request)
        waiter = Call(self._client, self._conn, request, box)
        return waiter.result(timeout, "cancel").found


class BatchStream:
    """Iterator over a batch's BatchItems in completion order. Raises the typed
    error if the batch as a whole fails (e.g. QueueFull, UnknownStyle)."""

    def __init__(self, client, build, timeout):
        self._client = client
        self._build = build
        self._deadline = _Deadline(timeout)
        self._attempts = client.retries_on_disconnect
        self.call = client.submit(build)
        self.done = None  # the BatchDone, once the stream ended
        self._yielded = 0
        self._final = False

    @property
    def id(self):
        return self.call.id

    def cancel(self, timeout=None):
        return self.call.cancel(timeout)

    def __iter__(self):
        try:
            while self.done is None:
                try:
                    reply = self.call.next_reply(self._deadline.remaining())
                except ConnectionLost:
                    # Re-sending is only invisible to the caller if nothing was
                    # yielded yet; otherwise items would repeat.
                    if self._yielded or self._attempts <= 0:
                        raise
                    self._attempts -= 1
                    self.call = self._client.submit(self._build)
                    continue
                try:
                    step = protocol.batch_step(reply)
                except Exception:
                    self._final = True  # a final Error: nothing left to cancel
                    raise
                if isinstance(step, protocol.BatchItem):
                    self._yielded += 1
                    yield step
                else:
                    self.done = step
        finally:
            if self.done is None and not self._final:
                self.call.abandon()  # the caller stopped iterating early
            else:
                self.call._conn.forget(self.call.id)
