"""Every daemon error code maps to its own StickerdError subclass."""

import unittest

import stickerd_client as sc
from stickerd_client import pb


class ErrorMappingTest(unittest.TestCase):
    def test_each_code_has_a_distinct_class(self):
        seen = set()
        for name, value in pb.ErrorCode.items():
            if value == pb.OK:
                continue
            with self.subTest(code=name):
                exc = sc.from_error(pb.Error(code=value, message="m"), request_id=3)
                self.assertIsInstance(exc, sc.StickerdError)
                self.assertIsNot(type(exc), sc.StickerdError)
                self.assertEqual(exc.code, value)
                self.assertEqual(exc.code_name, name)
                self.assertEqual(exc.request_id, 3)
                seen.add(type(exc))
        self.assertEqual(len(seen), len(pb.ErrorCode.items()) - 1)

    def test_named_classes(self):
        self.assertIsInstance(sc.from_error(pb.Error(code=pb.QUEUE_FULL)), sc.QueueFull)
        self.assertIsInstance(sc.from_error(pb.Error(code=pb.UNKNOWN_STYLE)), sc.UnknownStyle)
        self.assertTrue(sc.QueueFull.retryable)
        self.assertFalse(sc.UnknownStyle.retryable)
        self.assertIsInstance(sc.from_error(pb.Error(code=pb.UNSUPPORTED_TEXT)), sc.UnsupportedText)
        self.assertFalse(sc.UnsupportedText.retryable)

    def test_unknown_code_from_a_newer_daemon_is_still_a_stickerd_error(self):
        exc = sc.from_error(pb.Error(code=99, message="new"))
        self.assertIs(type(exc), sc.StickerdError)
        self.assertEqual(exc.code, 99)
        self.assertIn("new", str(exc))


if __name__ == "__main__":
    unittest.main()
