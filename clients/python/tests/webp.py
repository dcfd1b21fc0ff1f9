"""Just enough of the WebP container (RIFF) to check a sticker's header."""

import struct


def parse_header(data: bytes):
    """Returns (first_chunk_fourcc, width, height) or raises ValueError.

    VP8X stores canvas width-1 and height-1 as 24-bit little-endian numbers at
    chunk offsets 4 and 7 (after 1 flag byte and 3 reserved bytes)."""
    if len(data) < 30:
        raise ValueError(f"too short for WebP: {len(data)} bytes")
    riff, size, webp = struct.unpack_from("<4sI4s", data, 0)
    if riff != b"RIFF" or webp != b"WEBP":
        raise ValueError(f"not a RIFF/WEBP file: {data[:12]!r}")
    if size + 8 != len(data):
        raise ValueError(f"RIFF size {size} + 8 != file size {len(data)}")
    fourcc, _chunk_size = struct.unpack_from("<4sI", data, 12)
    if fourcc == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return fourcc.decode(), w, h
    if fourcc == b"VP8 ":
        w, h = struct.unpack_from("<HH", data, 26)
        return fourcc.decode(), w & 0x3FFF, h & 0x3FFF
    if fourcc == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return fourcc.decode(), (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise ValueError(f"unknown first chunk {fourcc!r}")
