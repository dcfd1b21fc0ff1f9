"""What both connections (threaded and asyncio) do with the daemon's bytes:
split them into frames, hand each reply to the request it answers, and turn a
broken stream into one error that every pending request receives."""

from . import protocol
from .errors import ConnectionLost, FrameTooLarge, ProtocolError, StickerdError, from_error
from .framing import FrameDecoder, FrameTooLargeError

# What a read loop catches: each ends the connection (see stream_error).
READ_ERRORS = (FrameTooLargeError, StickerdError, OSError)


class ReplyRouter:
    def __init__(self, max_frame_bytes):
        self._decoder = FrameDecoder(max_frame_bytes)

    def absorb(self, data, deliver, fail_all):
        """Feeds bytes read from the socket (b"" means the daemon closed it):
        `deliver(reply)` for each reply to a request, `fail_all(error)` for a
        connection-level error."""
        if not data:
            raise ConnectionLost("the daemon closed the connection")
        self._decoder.feed(data)
        for payload in self._decoder.frames():
            reply = protocol.parse_reply(payload)
            if reply.id != 0:
                deliver(reply)
            elif reply.HasField("error"):
                # Frame too large, unparsable frame: the daemon closes next, so
                # every pending request fails with it.
                fail_all(from_error(reply.error))
            else:
                fail_all(ProtocolError("reply with id 0 that is not an error"))


def stream_error(exc):
    """The StickerdError that pending requests get for one of READ_ERRORS."""
    if isinstance(exc, FrameTooLargeError):
        return FrameTooLarge(f"reply too large: {exc}")
    if isinstance(exc, StickerdError):
        return exc
    return ConnectionLost(f"read failed: {exc}")


def closed_error(request_id, closed):
    """What a send on a connection that already ended raises: the daemon's own
    connection-level error when it sent one (e.g. ConnectionLimit: the request
    was never read), else ConnectionLost, which the clients retry once."""
    if closed.code is not None:
        return error_for(request_id, closed)
    return ConnectionLost(f"connection closed: {closed}", request_id)


def error_for(request_id, error):
    """A copy of a connection-wide error addressed to one request."""
    return type(error)(error.message, request_id=request_id, code=error.code)
