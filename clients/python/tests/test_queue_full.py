"""QUEUE_FULL reaches the caller as sc.QueueFull (1 worker, queue of 1)."""

import unittest
import uuid

import stickerd_client as sc
from stickerd_client import protocol

from .daemon import Daemon


class QueueFullTest(unittest.TestCase):
    def test_ten_concurrent_requests_overflow_a_queue_of_one(self):
        with Daemon(workers=1, queue_size=1) as daemon, sc.Client(daemon.socket) as client:
            # All ten are sent before any reply is read: one renders, one
            # waits, the rest must be refused at once.
            calls = [client.submit(lambda rid, n=n: protocol.render_request(
                rid, f"q{n} {uuid.uuid4().hex[:6]}")) for n in range(10)]
            ok, full = 0, 0
            for call in calls:
                try:
                    call.result(60)
                    ok += 1
                except sc.QueueFull as exc:
                    self.assertEqual(exc.code, sc.pb.QUEUE_FULL)
                    self.assertTrue(exc.retryable)
                    self.assertEqual(exc.request_id, call.id)
                    full += 1
            self.assertEqual(ok + full, 10)
            self.assertGreaterEqual(ok, 1)
            self.assertGreaterEqual(full, 1, "no QueueFull with 10 requests on 1 worker + 1 slot")
            self.assertGreaterEqual(client.stats().rejected_queue_full, full)


if __name__ == "__main__":
    unittest.main()
