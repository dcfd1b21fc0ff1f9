"""The frame codec against bytes worked out by hand (no daemon needed)."""

import unittest

from stickerd_client import pb
from stickerd_client.framing import (FrameDecoder, FrameTooLargeError, encode_frame,
                                     encode_message)


class EncodeTest(unittest.TestCase):
    def test_header_is_little_endian_length(self):
        self.assertEqual(encode_frame(b"abc"), b"\x03\x00\x00\x00abc")
        self.assertEqual(encode_frame(b"x" * 258)[:4], b"\x02\x01\x00\x00")

    def test_empty_message_is_a_zero_length_frame(self):
        self.assertEqual(encode_message(pb.StatsRequest()), b"\x00\x00\x00\x00")

    def test_render_request_bytes(self):
        req = pb.Request(id=1)
        req.render.text = "hi"
        req.render.style_id = "classic"
        # id=1: 08 01; render (field 2, LEN 13): 12 0d;
        #   text: 0a 02 "hi"; style_id: 12 07 "classic"; 2 + 2 + 13 = 17 = 0x11 bytes
        expected_payload = bytes.fromhex("0801120d0a0268691207") + b"classic"
        self.assertEqual(encode_message(req), b"\x11\x00\x00\x00" + expected_payload)


class DecodeTest(unittest.TestCase):
    def frames_of(self, stream, chunk):
        dec = FrameDecoder()
        out = []
        for i in range(0, len(stream), chunk):
            dec.feed(stream[i:i + chunk])
            out.extend(dec.frames())
        return out, dec.buffered

    def test_split_at_every_byte_and_many_per_feed(self):
        payloads = [b"", b"a", b"hello world", bytes(range(256)) * 3]
        stream = b"".join(encode_frame(p) for p in payloads)
        for chunk in (1, 2, 3, 5, 7, len(stream)):
            with self.subTest(chunk=chunk):
                self.assertEqual(self.frames_of(stream, chunk), (payloads, 0))

    def test_cut_off_frame_stays_buffered(self):
        frames, buffered = self.frames_of(encode_frame(b"abcdef")[:-2], 3)
        self.assertEqual(frames, [])
        self.assertEqual(buffered, 8)

    def test_too_large_poisons_the_stream(self):
        dec = FrameDecoder(max_frame_bytes=10)
        dec.feed(encode_frame(b"x" * 10))  # exactly the maximum is fine
        self.assertEqual(dec.next(), b"x" * 10)
        dec.feed(b"\x0b\x00\x00\x00")
        with self.assertRaises(FrameTooLargeError) as ctx:
            dec.next()
        self.assertEqual(ctx.exception.announced, 11)
        dec.feed(encode_frame(b"ok"))  # nothing after it is trusted
        with self.assertRaises(FrameTooLargeError):
            dec.next()

    def test_default_maximum_is_16_mib(self):
        dec = FrameDecoder()
        dec.feed((16 << 20).to_bytes(4, "little"))
        self.assertIsNone(dec.next())  # allowed, just incomplete
        dec = FrameDecoder()
        dec.feed(((16 << 20) + 1).to_bytes(4, "little"))
        with self.assertRaises(FrameTooLargeError):
            dec.next()

    def test_reply_round_trip(self):
        reply = pb.Reply(id=7)
        reply.error.code = pb.QUEUE_FULL
        reply.error.message = "full"
        dec = FrameDecoder()
        dec.feed(encode_message(reply))
        self.assertEqual(pb.Reply.FromString(dec.next()), reply)


if __name__ == "__main__":
    unittest.main()
