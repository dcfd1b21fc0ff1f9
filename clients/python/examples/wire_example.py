#!/usr/bin/env python3
"""Prints one request and its reply as hex, byte for byte as they cross the
socket: the example in docs/PROTOCOL.md is this script's output.

    ./generate.sh && python3 examples/wire_example.py /path/to/stickerd.sock
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from stickerd_client import stickerd_pb2 as pb  # noqa: E402


def hexdump(data, limit=96):
    """16 bytes a line; long frames (a sticker's image data) are cut at `limit`."""
    shown = data[:limit]
    lines = [f"{i:04x}  {shown[i:i + 16].hex(' ')}" for i in range(0, len(shown), 16)]
    if len(data) > limit:
        lines.append(f"....  ({len(data) - limit} more bytes)")
    return "\n".join(lines)


def exchange(sock, request):
    payload = request.SerializeToString()
    frame = struct.pack("<I", len(payload)) + payload
    sock.sendall(frame)
    header = b""
    while len(header) < 4:
        header += sock.recv(4 - len(header))
    (length,) = struct.unpack("<I", header)
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return frame, header + body


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "./run/stickerd.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        examples = [
            pb.Request(id=1, render=pb.RenderRequest(text="hi", style_id="classic")),
            pb.Request(id=2, render=pb.RenderRequest(text="hi", style_id="nope")),
        ]
        for request in examples:
            sent, received = exchange(sock, request)
            print(f"request  {pb.Request.__name__}{{{str(request).strip()}}}".replace("\n", " "))
            print(hexdump(sent))
            reply = pb.Reply.FromString(received[4:])
            if reply.HasField("sticker"):
                reply.sticker.data = reply.sticker.data[:4] + b"..."  # for printing only
            print(f"reply    {str(reply).strip()}".replace("\n", " "))
            print(hexdump(received))


if __name__ == "__main__":
    main()
