"""Request building and reply interpretation shared by Client and AsyncClient.

Kept free of I/O: both clients only differ in how they wait for bytes.
"""

from dataclasses import dataclass
from typing import Optional

from . import stickerd_pb2 as pb
from .errors import ProtocolError, StickerdError, from_error


@dataclass(frozen=True)
class BatchItem:
    """One style's outcome within a batch, in completion order.

    `index` is the position in the batch's style list; exactly one of `sticker`
    (a stickerd_pb2.Sticker) and `error` (a StickerdError) is set."""

    index: int
    style_id: str
    sticker: Optional[pb.Sticker] = None
    error: Optional[StickerdError] = None

    @property
    def ok(self) -> bool:
        return self.sticker is not None


def render_request(request_id, text, style_id="", *, format=0, profile=0, priority=0,
                   deadline_ms=0) -> pb.Request:
    req = pb.Request(id=request_id)
    req.render.text = text
    req.render.style_id = style_id or ""
    req.render.format = format
    req.render.profile = profile
    req.render.priority = priority
    req.render.deadline_ms = deadline_ms
    return req


def batch_request(request_id, text, style_ids=(), *, format=0, profile=0, priority=0,
                  deadline_ms=0) -> pb.Request:
    req = pb.Request(id=request_id)
    req.batch.text = text
    req.batch.style_ids.extend(style_ids or ())
    req.batch.format = format
    req.batch.profile = profile
    req.batch.priority = priority
    req.batch.deadline_ms = deadline_ms
    return req


def stats_request(request_id) -> pb.Request:
    req = pb.Request(id=request_id)
    req.stats.SetInParent()  # an empty message still selects the oneof arm
    return req


def styles_request(request_id) -> pb.Request:
    req = pb.Request(id=request_id)
    req.list_styles.SetInParent()
    return req


def cancel_request(request_id, target_id) -> pb.Request:
    req = pb.Request(id=request_id)
    req.cancel.target_id = target_id
    return req


def deadline_for(timeout, deadline_ms):
    """A per-call timeout also bounds the daemon's work unless a deadline is given:
    there is no point rendering what the caller will no longer wait for."""
    if deadline_ms or timeout is None:
        return deadline_ms
    return max(1, int(timeout * 1000))


def final_body(reply: pb.Reply, expected: str):
    """Returns the body of a final reply of kind `expected`, or raises the typed error."""
    kind = reply.WhichOneof("body")
    if kind == "error":
        raise from_error(reply.error, reply.id)
    if kind != expected:
        raise ProtocolError(f"expected a {expected} reply, got {kind}", request_id=reply.id)
    return getattr(reply, kind)


def batch_step(reply: pb.Reply):
    """Interprets one reply to a batch: returns a BatchItem (more to come) or a
    BatchDone (the end); raises the typed error for a final Error."""
    kind = reply.WhichOneof("body")
    if kind == "batch_item":
        item = reply.batch_item
        if item.WhichOneof("result") == "sticker":
            return BatchItem(item.index, item.style_id, sticker=item.sticker)
        return BatchItem(item.index, item.style_id, error=from_error(item.error, reply.id))
    return final_body(reply, "batch_done")


def parse_reply(payload: bytes) -> pb.Reply:
    reply = pb.Reply()
    try:
        reply.ParseFromString(payload)
    except Exception as exc:  # DecodeError; the stream cannot be trusted after it
        raise ProtocolError(f"unparsable reply frame: {exc}") from exc
    return reply
