"""AsyncClient against a real daemon."""

import asyncio
import unittest
import uuid

import stickerd_client as sc

from .daemon import Daemon
from .webp import parse_header


def unique(text):
    return f"{text} {uuid.uuid4().hex[:6]}"


class AsyncClientTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(workers=2)
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    async def asyncSetUp(self):
        self.client = await sc.AsyncClient(self.daemon.socket, timeout=60).connect()

    async def asyncTearDown(self):
        await self.client.close()

    async def test_concurrent_renders(self):
        stickers = await asyncio.gather(*(self.client.render(unique(f"a{n}")) for n in range(5)))
        for s in stickers:
            self.assertEqual(parse_header(s.data)[1:], (512, 512))

    async def test_batch(self):
        # Every style Telegram (the default profile) can take: not animated-WebP-only.
        n = sum(1 for s in (await self.client.styles()).styles
                if any(f != sc.pb.FORMAT_WEBP_ANIMATED for f in s.formats))
        stream = self.client.batch(unique("async batch"))
        indices = [item.index async for item in stream]
        self.assertEqual(sorted(indices), list(range(n)))
        self.assertEqual(stream.done.count, n)

    async def test_stats(self):
        stats = await self.client.stats()
        self.assertEqual(stats.total_workers, 2)
        self.assertEqual(stats.ready_workers, 2)

    async def test_typed_error(self):
        with self.assertRaises(sc.UnknownStyle):
            await self.client.render("x", "no-such-style")

    async def test_cancelling_the_task_cancels_the_request(self):
        tasks = [asyncio.create_task(self.client.render(unique(f"c{n}"))) for n in range(8)]
        await asyncio.sleep(0)  # let every task send its request
        tasks[-1].cancel()
        with self.assertRaises(asyncio.CancelledError):
            await tasks[-1]
        await asyncio.gather(*tasks[:-1])
        # The connection is still healthy afterwards.
        self.assertEqual((await self.client.stats()).total_workers, 2)

    async def test_client_timeout_raises_request_timeout(self):
        # An animation takes hundreds of ms and the daemon's deadline is 30 s,
        # so the timer always fires first (with the default deadline, equal to
        # the timeout, a loaded machine could deliver DEADLINE_EXCEEDED first).
        with self.assertRaises(sc.RequestTimeout):
            await self.client.render(unique("slow"), "bounce", format=sc.pb.FORMAT_WEBP_ANIMATED,
                                     profile=sc.pb.PROFILE_WHATSAPP, deadline_ms=30000,
                                     timeout=0.000001)


if __name__ == "__main__":
    unittest.main()
