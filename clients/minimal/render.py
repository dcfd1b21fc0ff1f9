#!/usr/bin/env python3
"""The shortest correct stickerd client, written from docs/PROTOCOL.md alone:
no stickerd library, only the generated stickerd_pb2 and socket/struct.

    python3 render.py TEXT [STYLE] > sticker.webp
    STICKERD_SOCKET=/path/to.sock python3 render.py hello classic > hello.webp

stickerd_pb2 comes from `protoc --python_out=. proto/stickerd.proto`
(run-tests does that into a temp dir and puts it on PYTHONPATH).
Exit status: 0 with the file on stdout, 1 with the daemon's error on stderr.
"""

import os
import socket
import struct
import sys

import stickerd_pb2 as pb


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the daemon closed the connection")
        data += chunk
    return data


def render(path, text, style_id=""):
    request = pb.Request(id=1, render=pb.RenderRequest(text=text, style_id=style_id))
    payload = request.SerializeToString()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        sock.sendall(struct.pack("<I", len(payload)) + payload)
        # One request in flight, so the first reply with our id is the final one.
        while True:
            (length,) = struct.unpack("<I", read_exactly(sock, 4))
            reply = pb.Reply.FromString(read_exactly(sock, length))
            if reply.id in (1, 0):  # 0: a connection-level error
                return reply


def default_socket():
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    return os.environ.get("STICKERD_SOCKET") or os.path.join(runtime or "./run", "stickerd.sock")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    reply = render(default_socket(), sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
    if reply.HasField("sticker"):
        sys.stdout.buffer.write(reply.sticker.data)
        return 0
    print(f"stickerd: {pb.ErrorCode.Name(reply.error.code)}: {reply.error.message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
