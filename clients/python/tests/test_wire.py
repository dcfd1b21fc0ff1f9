"""Connection-level rules of docs/PROTOCOL.md, checked with raw bytes on a socket."""

import socket
import struct
import unittest

from stickerd_client import pb
from stickerd_client.framing import FrameDecoder, encode_frame, encode_message

from .daemon import Daemon, wait_for

TIMEOUT = 30


class WireTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(workers=1)
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        sock.connect(self.daemon.socket)
        self.addCleanup(sock.close)
        return sock

    def read_until_eof_or(self, sock, want):
        """Reads replies until `want` of them arrived or the daemon closed."""
        dec, replies = FrameDecoder(), []
        while len(replies) < want:
            data = sock.recv(65536)
            if not data:
                return replies, True
            dec.feed(data)
            replies += [pb.Reply.FromString(p) for p in dec.frames()]
        return replies, False

    def assert_closed(self, sock):
        self.assertEqual(wait_for(lambda: sock.recv(65536) == b"" or None, TIMEOUT,
                                  "the daemon to close the connection"), True)

    def test_frame_too_large_gets_an_error_with_id_0_then_close(self):
        sock = self.connect()
        sock.sendall(struct.pack("<I", (16 << 20) + 1))
        replies, _ = self.read_until_eof_or(sock, 1)
        self.assertEqual(len(replies), 1, "no reply before the close")
        self.assertEqual(replies[0].id, 0)
        self.assertEqual(replies[0].error.code, pb.FRAME_TOO_LARGE)
        self.assert_closed(sock)

    def test_unparsable_frame_gets_invalid_argument_with_id_0_then_close(self):
        sock = self.connect()
        sock.sendall(encode_frame(b"\xff\xff\xff\xff"))  # a field tag that cannot be
        replies, _ = self.read_until_eof_or(sock, 1)
        self.assertEqual(len(replies), 1)
        self.assertEqual(replies[0].id, 0)
        self.assertEqual(replies[0].error.code, pb.INVALID_ARGUMENT)
        self.assert_closed(sock)

    def test_unknown_request_kind_is_invalid_argument_with_the_same_id(self):
        sock = self.connect()
        # Request{id: 42, <field 99, empty message>}: a kind from a newer client.
        sock.sendall(encode_frame(bytes.fromhex("082a") + bytes([0x9a, 0x06, 0x00])))
        sock.sendall(encode_message(pb.Request(id=43, stats=pb.StatsRequest())))
        replies, closed = self.read_until_eof_or(sock, 2)
        self.assertFalse(closed, "the connection must stay usable")
        by_id = {r.id: r for r in replies}
        self.assertEqual(by_id[42].error.code, pb.INVALID_ARGUMENT)
        self.assertEqual(by_id[43].WhichOneof("body"), "stats")

    def test_invalid_utf8_is_invalid_argument(self):
        sock = self.connect()
        # Request{id: 5, render{text: b"\xc3\x28"}} built by hand: protobuf
        # libraries refuse to serialise invalid UTF-8 strings.
        render = b"\x0a\x02\xc3\x28"
        sock.sendall(encode_frame(b"\x08\x05\x12" + bytes([len(render)]) + render))
        sock.sendall(encode_message(pb.Request(id=6, stats=pb.StatsRequest())))
        replies, closed = self.read_until_eof_or(sock, 2)
        # Its id can be read, so it is one bad request (docs/PROTOCOL.md,
        # "Malformed frames"): answered under its id, the connection stays open.
        self.assertFalse(closed, "the connection must stay usable")
        by_id = {r.id: r for r in replies}
        self.assertEqual(by_id[5].error.code, pb.INVALID_ARGUMENT)
        self.assertIn("render.text is not valid UTF-8", by_id[5].error.message)
        self.assertEqual(by_id[6].WhichOneof("body"), "stats")

    def test_request_without_kind_is_invalid_argument(self):
        sock = self.connect()
        sock.sendall(encode_message(pb.Request(id=9)))
        replies, _ = self.read_until_eof_or(sock, 1)
        self.assertEqual((replies[0].id, replies[0].error.code), (9, pb.INVALID_ARGUMENT))


if __name__ == "__main__":
    unittest.main()
