"""The stickerd frame codec: uint32 little-endian length, then one protobuf message.

Pure byte handling, no I/O, so the blocking client, the asyncio client and the
unit tests share it. It mirrors common/frame.h: a frame whose announced length
is above the maximum poisons the stream (nothing after it can be trusted), and
the oversized payload is never buffered.
"""

import struct

HEADER = struct.Struct("<I")
HEADER_BYTES = HEADER.size
# The daemon's default maximum (common/frame.h kDefaultMaxFrameBytes).
DEFAULT_MAX_FRAME_BYTES = 16 << 20


class FrameTooLargeError(ValueError):
    """The peer announced a frame longer than the maximum; the stream is unusable."""

    def __init__(self, announced, maximum):
        super().__init__(f"frame of {announced} bytes announced, maximum is {maximum}")
        self.announced = announced
        self.maximum = maximum


def encode_frame(payload: bytes) -> bytes:
    """Returns header + payload for an already serialised message."""
    return HEADER.pack(len(payload)) + payload


def encode_message(message) -> bytes:
    """Serialises a protobuf message into one frame."""
    return encode_frame(message.SerializeToString())


class FrameDecoder:
    """Incremental decoder: feed() bytes split anywhere, then drain frames()."""

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES):
        self.max_frame_bytes = max_frame_bytes
        self._buffer = bytearray()
        self._poisoned = None  # FrameTooLargeError once the stream is bad

    def feed(self, data: bytes) -> None:
        if self._poisoned is None:
            self._buffer += data

    def next(self):
        """Returns the next complete payload (bytes) or None if more input is needed.

        Raises FrameTooLargeError, now and on every later call, once a frame
        over the maximum has been announced.
        """
        if self._poisoned is not None:
            raise self._poisoned
        if len(self._buffer) < HEADER_BYTES:
            return None
        (length,) = HEADER.unpack_from(self._buffer)
        if length > self.max_frame_bytes:
            self._poisoned = FrameTooLargeError(length, self.max_frame_bytes)
            self._buffer.clear()
            raise self._poisoned
        end = HEADER_BYTES + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[HEADER_BYTES:end])
        del self._buffer[:end]
        return payload

    def frames(self):
        """Yields every complete payload currently buffered."""
        while True:
            payload = self.next()
            if payload is None:
                return
            yield payload

    @property
    def buffered(self) -> int:
        """Bytes held but not yet returned: non-zero at EOF means a cut-off frame."""
        return len(self._buffer)
