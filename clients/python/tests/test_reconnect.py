"""A client survives a daemon restart on the same socket path."""

import asyncio
import unittest

import stickerd_client as sc

from .daemon import Daemon


class ReconnectTest(unittest.TestCase):
    def test_blocking_client_reconnects(self):
        with Daemon(workers=1) as first, sc.Client(first.socket, timeout=60,
                                                   connect_timeout=30) as client:
            before = client.stats().uptime_seconds
            first.stop()
            second = Daemon(workers=1, socket_path=first.socket).start()
            try:
                sticker = client.render("after restart")
                self.assertTrue(sticker.data.startswith(b"RIFF"))
                self.assertEqual(client.stats().tasks_completed, 1)  # a new daemon
            finally:
                second.close()
            self.assertGreater(before, 0)

    def test_async_client_reconnects(self):
        async def scenario(first):
            async with sc.AsyncClient(first.socket, timeout=60, connect_timeout=30) as client:
                await client.stats()
                first.stop()
                second = Daemon(workers=1, socket_path=first.socket).start()
                try:
                    sticker = await client.render("async after restart")
                    self.assertTrue(sticker.data.startswith(b"RIFF"))
                finally:
                    second.close()
        with Daemon(workers=1) as first:
            asyncio.run(scenario(first))


if __name__ == "__main__":
    unittest.main()
