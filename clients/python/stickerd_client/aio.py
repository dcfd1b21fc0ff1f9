"""asyncio client: the same calls as Client, as coroutines.

    async with AsyncClient() as c:
        sticker = await c.render("hello", "classic", timeout=10)
        async for item in c.batch("hello"):
            ...

A per-call timeout, or cancelling the awaiting task, sends CancelRequest so the
daemon stops working on it.
"""

import asyncio
import errno
import itertools

from . import protocol
from .errors import ConnectionLost, RequestTimeout, StickerdError
from .framing import encode_message
from .routing import READ_ERRORS, ReplyRouter, closed_error, error_for, stream_error
from .settings import ClientSettings

_NOT_LISTENING = (errno.ENOENT, errno.ECONNREFUSED, errno.EAGAIN)


class _AsyncConnection:
    def __init__(self, reader, writer, max_frame_bytes):
        self._reader = reader
        self._writer = writer
        self._router = ReplyRouter(max_frame_bytes)
        self._mailboxes = {}  # id -> asyncio.Queue of Reply or StickerdError
        self._closed = None
        self._ids = itertools.count(1)
        self._task = asyncio.get_running_loop().create_task(self._read_loop())

    @classmethod
    async def open(cls, path, connect_timeout, max_frame_bytes):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + connect_timeout
        delay = 0.01
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(path)
                return cls(reader, writer, max_frame_bytes)
            except OSError as exc:
                if exc.errno not in _NOT_LISTENING or loop.time() >= deadline:
                    raise ConnectionLost(f"cannot connect to {path}: {exc.strerror}") from exc
            # Waiting for a restarting daemon's socket: there is no event to wait on.
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, 0.2)

    @property
    def alive(self):
        return self._closed is None

    def next_id(self):
        return next(self._ids)

    async def send(self, request, want_replies=True):
        if self._closed is not None:
            raise closed_error(request.id, self._closed)
        box = asyncio.Queue() if want_replies else None
        if box is not None:
            self._mailboxes[request.id] = box
        try:
            self._writer.write(encode_message(request))
            await self._writer.drain()
        except (OSError, RuntimeError) as exc:
            # The daemon is gone even if the reader has not seen EOF yet: mark
            # the connection dead so the next call reconnects.
            lost = ConnectionLost(f"send failed: {exc}", request.id)
            self._fail_all(lost)
            raise lost from exc
        return box

    def forget(self, request_id):
        self._mailboxes.pop(request_id, None)

    async def close(self):
        self._fail_all(ConnectionLost("connection closed by the client"))
        self._task.cancel()
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except OSError:
            pass
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    async def _read_loop(self):
        try:
            while True:
                self._router.absorb(await self._reader.read(1 << 16), self._deliver,
                                    self._fail_all)
        except READ_ERRORS as exc:
            self._fail_all(stream_error(exc))

    def _deliver(self, reply):
        box = self._mailboxes.get(reply.id)
        if box is not None:
            box.put_nowait(reply)

    def _fail_all(self, error):
        if self._closed is None:
            self._closed = error
        boxes, self._mailboxes = self._mailboxes, {}
        for request_id, box in boxes.items():
            box.put_nowait(error_for(request_id, error))


class AsyncClient(ClientSettings):
    """asyncio client; ClientSettings lists the arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connecting = asyncio.Lock()

    async def _connection(self):
        async with self._connecting:
            if self._conn is None or not self._conn.alive:
                if self._conn is not None:
                    await self._conn.close()
                self._conn = await _AsyncConnection.open(self.path, self.connect_timeout,
                                                         self.max_frame_bytes)
            return self._conn

    async def connect(self):
        await self._connection()
        return self

    async def close(self):
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self):
        return await self.connect()

    async def __aexit__(self, *exc):
        await self.close()

    async def _submit(self, build):
        conn = await self._connection()
        request = build(conn.next_id())
        return conn, request.id, await conn.send(request)

    async def _next(self, conn, request_id, box, timeout):
        """The next reply for `request_id`; on timeout or task cancellation the
        daemon is told to cancel it too."""
        try:
            reply = await asyncio.wait_for(box.get(), timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
            await self._abandon(conn, request_id)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise RequestTimeout(f"no reply within {timeout:.3f}s; request cancelled",
                                 request_id=request_id) from None
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def _abandon(self, conn, request_id):
        conn.forget(request_id)
        try:
            await conn.send(protocol.cancel_request(conn.next_id(), request_id),
                            want_replies=False)
        except ConnectionLost:
            pass

    async def _retrying(self, build, expected, timeout):
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        attempts = self.retries_on_disconnect
        while True:
            try:
                conn, rid, box = await self._submit(build)
            except ConnectionLost:
                if attempts <= 0:
                    raise
                attempts -= 1
                continue
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                return protocol.final_body(await self._next(conn, rid, box, remaining), expected)
            except ConnectionLost:
                if attempts <= 0:
                    raise
                attempts -= 1
            finally:
                conn.forget(rid)

    async def render(self, text, style_id="", *, format=0, profile=0, priority=0,
                     deadline_ms=0, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        deadline_ms = protocol.deadline_for(timeout, deadline_ms)
        return await self._retrying(
            lambda rid: protocol.render_request(rid, text, style_id, format=format,
                                                profile=profile, priority=priority,
                                                deadline_ms=deadline_ms),
            "sticker", timeout)

    async def stats(self, timeout=None):
        return await self._retrying(protocol.stats_request, "stats",
                                    self.timeout if timeout is None else timeout)

    async def styles(self, timeout=None):
        return await self._retrying(protocol.styles_request, "styles",
                                    self.timeout if timeout is None else timeout)

    async def cancel(self, request_id, timeout=None):
        """Cancels request `request_id` on the current connection; returns
        CancelReply.found. Cancelling the awaiting task does this for you."""
        conn = await self._connection()
        request = protocol.cancel_request(conn.next_id(), request_id)
        box = await conn.send(request)
        try:
            reply = await self._next(conn, request.id, box,
                                     self.timeout if timeout is None else timeout)
            return protocol.final_body(reply, "cancel").found
        finally:
            conn.forget(request.id)

    def batch(self, text, style_ids=(), *, format=0, profile=0, priority=0, deadline_ms=0,
              timeout=None):
        """An async iterator of BatchItems in completion order; after it ends,
        the returned object's `.done` holds the BatchDone."""
        timeout = self.timeout if timeout is None else timeout
        deadline_ms = protocol.deadline_for(timeout, deadline_ms)
        return AsyncBatchStream(self, lambda rid: protocol.batch_request(
            rid, text, style_ids, format=format, profile=profile, priority=priority,
            deadline_ms=deadline_ms), timeout)


class AsyncBatchStream:
    def __init__(self, client, build, timeout):
        self._client = client
        self._build = build
        self._timeout = timeout
        self.done = None
        self.id = None  # known once iteration has started

    def __aiter__(self):
        return self._iterate()

    async def _iterate(self):
        client = self._client
        loop = asyncio.get_running_loop()
        deadline = None if self._timeout is None else loop.time() + self._timeout
        attempts = client.retries_on_disconnect
        yielded = 0
        conn, self.id, box = await client._submit(self._build)
        final = False
        try:
            while self.done is None:
                remaining = None if deadline is None else max(0.0, deadline - loop.time())
                try:
                    reply = await client._next(conn, self.id, box, remaining)
                except ConnectionLost:
                    if yielded or attempts <= 0:
                        raise
                    attempts -= 1
                    conn, self.id, box = await client._submit(self._build)
                    continue
                try:
                    step = protocol.batch_step(reply)
                except StickerdError:
                    final = True
                    raise
                if isinstance(step, protocol.BatchItem):
                    yielded += 1
                    yield step
                else:
                    self.done = step
                    final = True
        finally:
            conn.forget(self.id)
            if not final and conn.alive:
                await client._abandon(conn, self.id)  # the consumer stopped early
