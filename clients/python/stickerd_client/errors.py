"""Typed exceptions: one class per stickerd ErrorCode, all under StickerdError.

Each class says whether retrying the same request can help (`retryable`), so a
caller can write `except StickerdError as e: if e.retryable: ...` without a
table of codes. Errors made on the client side (lost connection, client
timeout, protocol violation) are StickerdError too, so one `except` covers all.
"""

from . import stickerd_pb2 as pb


class StickerdError(Exception):
    """Base class. `.code` is the stickerd_pb2.ErrorCode value (None for
    client-side errors), `.code_name` its name, `.request_id` the request's id."""

    code = None
    retryable = False

    def __init__(self, message="", request_id=None, code=None):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        if code is not None:
            self.code = code

    @property
    def code_name(self):
        if self.code is None:
            return None
        try:
            return pb.ErrorCode.Name(self.code)
        except ValueError:
            return f"UNKNOWN_CODE_{self.code}"

    def __str__(self):
        prefix = self.code_name or type(self).__name__
        return f"{prefix}: {self.message}" if self.message else prefix


class InvalidArgument(StickerdError):
    code = pb.INVALID_ARGUMENT


class UnknownStyle(StickerdError):
    code = pb.UNKNOWN_STYLE


class TextTooLong(StickerdError):
    code = pb.TEXT_TOO_LONG


class QueueFull(StickerdError):
    code = pb.QUEUE_FULL
    retryable = True  # with backoff: the daemon is saturated right now


class DeadlineExceeded(StickerdError):
    code = pb.DEADLINE_EXCEEDED
    retryable = True  # maybe with a longer deadline


class WorkerCrashed(StickerdError):
    code = pb.WORKER_CRASHED
    retryable = True  # once; the daemon already retried on another worker


class Poisoned(StickerdError):
    code = pb.POISONED


class Cancelled(StickerdError):
    code = pb.CANCELLED


class ShuttingDown(StickerdError):
    code = pb.SHUTTING_DOWN
    retryable = True  # on another instance, or after the restart


class FrameTooLarge(StickerdError):
    code = pb.FRAME_TOO_LARGE


class PermissionDenied(StickerdError):
    code = pb.PERMISSION_DENIED


class InternalError(StickerdError):
    code = pb.INTERNAL


class UnsupportedText(StickerdError):
    """No font in the daemon's font set draws some character of the text (it
    would show as a box); the message names the first few code points."""

    code = pb.UNSUPPORTED_TEXT


class ConnectionLimit(StickerdError):
    """The daemon refused the connection (too many in all, or from this uid) or
    closed it after --idle-timeout-ms with nothing in flight. Arrives as an id-0
    error, so every request pending on that connection gets it."""

    code = pb.CONNECTION_LIMIT
    retryable = True  # later, with backoff, once connections are free


class ConnectionLost(StickerdError):
    """The connection closed before the final reply. Renders are idempotent, so
    retrying on a new connection is safe (the clients do it once by themselves)."""

    retryable = True


class RequestTimeout(StickerdError, TimeoutError):
    """The per-call timeout passed on the client side; the request was cancelled."""

    retryable = True


class ProtocolError(StickerdError):
    """The daemon sent something this client cannot make sense of."""


_BY_CODE = {
    cls.code: cls
    for cls in (InvalidArgument, UnknownStyle, TextTooLong, QueueFull, DeadlineExceeded,
                WorkerCrashed, Poisoned, Cancelled, ShuttingDown, FrameTooLarge,
                PermissionDenied, InternalError, UnsupportedText, ConnectionLimit)
}


def from_error(error, request_id=None) -> StickerdError:
    """Builds the typed exception for an stickerd_pb2.Error message."""
    cls = _BY_CODE.get(error.code, StickerdError)
    return cls(error.message, request_id=request_id, code=error.code)
