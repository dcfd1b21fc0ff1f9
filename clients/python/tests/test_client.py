"""The blocking Client against a real daemon (2 workers)."""

import threading
import unittest
import uuid

import stickerd_client as sc
from stickerd_client import pb

from .daemon import Daemon
from .webp import parse_header


def unique(text):
    """Distinct text per call, so neither the cache nor single-flight answers it."""
    return f"{text} {uuid.uuid4().hex[:6]}"


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(workers=2)
        cls.daemon.start()
        cls.client = sc.Client(cls.daemon.socket, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.daemon.close()

    def test_render_returns_a_512_webp(self):
        sticker = self.client.render(unique("hello"), format=pb.FORMAT_WEBP)
        fourcc, w, h = parse_header(sticker.data)
        self.assertEqual(fourcc, "VP8X", "Telegram stickers carry a VP8X canvas header")
        self.assertEqual((w, h), (512, 512))
        self.assertEqual((sticker.width, sticker.height), (512, 512))
        self.assertEqual(sticker.mime_type, "image/webp")
        self.assertEqual(sticker.format, pb.FORMAT_WEBP)

    def test_deadline_field_is_accepted(self):
        sticker = self.client.render(unique("deadline"), deadline_ms=30000)
        self.assertTrue(sticker.data.startswith(b"RIFF"))

    def test_stats(self):
        stats = self.client.stats()
        self.assertEqual(stats.total_workers, 2)
        self.assertEqual(stats.ready_workers, 2)
        self.assertGreaterEqual(stats.connections, 1)
        self.assertGreater(stats.uptime_seconds, 0)

    def test_styles(self):
        styles = self.client.styles()
        ids = [s.id for s in styles.styles]
        self.assertIn("classic", ids)
        self.assertIn(styles.default_style, ids)
        for s in styles.styles:
            self.assertTrue(s.config_id, f"style {s.id} has no config_id")

    def test_batch_streams_every_index_then_done(self):
        # A batch with no styles named covers every style its profile (here
        # Telegram, which never takes animated WebP) can be rendered in.
        ids = [s.id for s in self.client.styles().styles
               if any(f != pb.FORMAT_WEBP_ANIMATED for f in s.formats)]
        stream = self.client.batch(unique("batch"))
        items = list(stream)
        self.assertEqual(sorted(i.index for i in items), list(range(len(ids))))
        for item in items:
            self.assertEqual(item.style_id, ids[item.index])
            self.assertTrue(item.ok, f"{item.style_id}: {item.error}")
            # Each style's default Telegram format: WebP, PNG, TGS (gzip), or
            # WEBM (EBML) for a style whose only Telegram format is a video
            # (bench-reference-bounce).
            self.assertTrue(item.sticker.data.startswith(
                (b"RIFF", b"\x89PNG", b"\x1f\x8b", b"\x1a\x45\xdf\xa3")), item.sticker.data[:8])
        self.assertIsNotNone(stream.done, "the stream ended without batch_done")
        self.assertEqual(stream.done.count, len(ids))
        self.assertEqual(stream.done.succeeded, len(items))

    def test_batch_with_explicit_styles_keeps_the_callers_indices(self):
        stream = self.client.batch(unique("two"), ["classic", "classic"])
        items = sorted(stream, key=lambda i: i.index)
        self.assertEqual([(i.index, i.style_id, i.ok) for i in items],
                         [(0, "classic", True), (1, "classic", True)])
        self.assertEqual((stream.done.count, stream.done.succeeded), (2, 2))

    def test_batch_with_an_unknown_style(self):
        # The protocol allows either outcome: the whole batch refused at
        # admission, or a per-item error at that style's index.
        try:
            items = {i.index: i for i in self.client.batch(unique("bad"),
                                                           ["classic", "no-such-style"])}
        except sc.UnknownStyle:
            return
        self.assertTrue(items[0].ok)
        self.assertIsInstance(items[1].error, sc.UnknownStyle)

    def test_errors_are_typed(self):
        with self.assertRaises(sc.UnknownStyle) as ctx:
            self.client.render("x", "no-such-style")
        self.assertEqual(ctx.exception.code, pb.UNKNOWN_STYLE)
        with self.assertRaises(sc.InvalidArgument):
            self.client.render("")
        with self.assertRaises(sc.TextTooLong):
            self.client.render("x" * 257)
        self.client.render(unique("y" * 240))  # 247 code points: within the limit

    def test_cancel_a_pending_request(self):
        # Fill both workers and the queue with distinct animations (hundreds of
        # ms each) so the last one is certainly still pending when the cancel
        # arrives, even on a busy machine.
        calls = [self.client.submit(lambda rid, t=unique(f"busy {n}"): sc.protocol.render_request(
            rid, t, "bounce", format=sc.protocol.pb.FORMAT_WEBP_ANIMATED,
            profile=sc.protocol.pb.PROFILE_WHATSAPP, deadline_ms=30000)) for n in range(8)]
        target = calls[-1]
        found = target.cancel(timeout=30)
        if found:
            with self.assertRaises(sc.Cancelled):
                target.result(30)
        else:  # it was already answered: then it must have succeeded
            target.result(30)
        for call in calls[:-1]:
            call.result(60)
        self.assertTrue(found, "8 renders on 2 workers: the last should still be queued")

    def test_cancel_unknown_id_is_not_found(self):
        self.assertFalse(self.client.cancel(10**12))

    def test_threads_share_one_client(self):
        results, errors = [], []

        def work(n):
            try:
                results.append(self.client.render(unique(f"thread {n}")))
            except Exception as exc:  # surfaced below
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 6)


if __name__ == "__main__":
    unittest.main()
