#!/usr/bin/env python3
"""Writes the seed corpus for frame_fuzzer: real frames, built by hand so no
protobuf module is needed. Byte 0 of each file is the fuzzer's split point."""
import os
import struct

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def frame(payload):
    return struct.pack("<I", len(payload)) + payload


def write(name, split, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(bytes([split]) + data)


render = field(1, 0, 7) + field(2, 2, field(1, 2, "Привет 🎉".encode()) + field(2, 2, b"classic")
                              + field(5, 0, 3) + field(6, 0, 500))
batch = field(1, 0, 8) + field(3, 2, field(1, 2, b"hi") + field(2, 2, b"classic") + field(2, 2, b"neon"))
stats = field(1, 0, 9) + field(4, 2, b"")
chaos = field(1, 0, 10) + field(2, 2, field(1, 2, b"boom") + field(2, 2, b"test-crash"))
bad_utf8 = field(1, 0, 11) + field(2, 2, field(1, 2, b"\xff\xfe bad"))

os.makedirs(here, exist_ok=True)
write("render", 0, frame(render))
write("batch", 0, frame(batch))
write("stats_then_render", 3, frame(stats) + frame(render))
write("split_render", 9, frame(render))
write("test_style", 1, frame(chaos))
write("bad_utf8", 0, frame(bad_utf8))
write("too_large", 0, struct.pack("<I", 1 << 30) + b"x" * 16)
