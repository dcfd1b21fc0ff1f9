"""A connection refused at the daemon's connection limit reaches the caller as
sc.ConnectionLimit (code CONNECTION_LIMIT), not as a lost connection or a
reply to the wrong request."""

import socket
import unittest
import uuid

import stickerd_client as sc

from .daemon import Daemon, wait_for


class ConnectionLimitTest(unittest.TestCase):
    def test_a_client_over_the_limit_gets_connection_limit(self):
        # The readiness check's connection is closed by the time start() returns.
        with Daemon(workers=1, extra_args=["--max-connections", "1"]) as daemon:
            holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            holder.connect(daemon.socket)
            try:
                # The holder is counted once the daemon answers it.
                holder.sendall(sc.encode_message(sc.pb.Request(id=1, stats=sc.pb.StatsRequest())))
                holder.recv(1 << 16)
                with sc.Client(daemon.socket, timeout=30) as client:
                    with self.assertRaises(sc.ConnectionLimit) as caught:
                        client.render(f"refused {uuid.uuid4().hex[:6]}")
                exc = caught.exception
                self.assertEqual(exc.code, sc.pb.CONNECTION_LIMIT)
                self.assertEqual(exc.code_name, "CONNECTION_LIMIT")
                self.assertTrue(exc.retryable)
                self.assertIn("too many connections", exc.message)
            finally:
                holder.close()
            # The slot is free again once the daemon has seen the holder go.
            def served():
                try:
                    with sc.Client(daemon.socket, timeout=60) as client:
                        return client.render(f"served {uuid.uuid4().hex[:6]}").data
                except sc.ConnectionLimit:
                    return None
            self.assertTrue(wait_for(served, 30, "a render once the slot is free"))


if __name__ == "__main__":
    unittest.main()
