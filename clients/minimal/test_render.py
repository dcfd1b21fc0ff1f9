"""render.py as a user runs it: a subprocess against a real daemon."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from tests.daemon import Daemon  # noqa: E402  (the Python client's daemon fixture)

RENDER = os.path.join(HERE, "render.py")


class MinimalRenderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def run_render(self, *args):
        env = dict(os.environ, STICKERD_SOCKET=self.daemon.socket)
        return subprocess.run([sys.executable, RENDER, *args], env=env, capture_output=True,
                              timeout=60)

    def test_writes_a_webp_to_stdout(self):
        result = self.run_render("minimal", "classic")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout[:4], b"RIFF")
        self.assertEqual(result.stdout[8:12], b"WEBP")

    def test_reports_the_daemons_error(self):
        result = self.run_render("minimal", "no-such-style")
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"UNKNOWN_STYLE", result.stderr)


if __name__ == "__main__":
    unittest.main()
