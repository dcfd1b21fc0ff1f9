"""stickerd_client: Python client for the stickerd sticker-rendering daemon.

The wire protocol is documented in docs/PROTOCOL.md; stickerd_pb2 is generated
from proto/stickerd.proto by generate.sh (or by `pip install`).
"""

from . import stickerd_pb2 as pb
from .aio import AsyncBatchStream, AsyncClient
from .client import BatchStream, Call, Client
from .errors import (Cancelled, ConnectionLimit, ConnectionLost, DeadlineExceeded, FrameTooLarge, InternalError,
                     InvalidArgument, PermissionDenied, Poisoned, ProtocolError, QueueFull,
                     RequestTimeout, ShuttingDown, StickerdError, TextTooLong, UnknownStyle,
                     UnsupportedText, WorkerCrashed, from_error)
from .framing import FrameDecoder, encode_frame, encode_message
from .protocol import BatchItem
from .socket_path import default_socket_path

__all__ = [
    "pb", "Client", "AsyncClient", "Call", "BatchStream", "AsyncBatchStream", "BatchItem",
    "StickerdError", "InvalidArgument", "UnknownStyle", "TextTooLong", "QueueFull",
    "DeadlineExceeded", "WorkerCrashed", "Poisoned", "Cancelled", "ShuttingDown",
    "FrameTooLarge", "PermissionDenied", "InternalError", "UnsupportedText", "ConnectionLimit", "ConnectionLost", "RequestTimeout",
    "ProtocolError", "from_error", "FrameDecoder", "encode_frame", "encode_message",
    "default_socket_path",
]
