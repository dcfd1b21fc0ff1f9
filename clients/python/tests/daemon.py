"""Starts and stops a real stickerd for a test, on a private temporary socket.

The binary comes from $STICKERD_BIN; tests that need it are skipped with a
message when it is unset. Readiness is a condition, not a sleep: the socket
accepts and stats report every worker READY, within a deadline.
"""

import os
import shlex
import signal
import subprocess
import tempfile
import time
import unittest

from stickerd_client import Client, StickerdError

STARTUP_SECONDS = float(os.environ.get("STICKERD_STARTUP_SECONDS", "60"))


def binary_or_skip():
    path = os.environ.get("STICKERD_BIN")
    if not path:
        raise unittest.SkipTest("STICKERD_BIN is not set: set it to the stickerd binary "
                                "(e.g. build-clients/master/stickerd) to run daemon tests")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"STICKERD_BIN={path} is not an executable file")
    return path


def wait_for(condition, timeout, what, interval=0.02):
    """Polls `condition` until it returns a true value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Daemon:
    def __init__(self, workers=2, queue_size=None, socket_path=None, extra_args=()):
        self.binary = binary_or_skip()
        self.extra_args = list(extra_args)
        self.workers = workers
        self.queue_size = queue_size
        self._tmp = tempfile.TemporaryDirectory(prefix="stickerd-py-")
        self.socket = socket_path or os.path.join(self._tmp.name, "s.sock")
        self.log_path = os.path.join(self._tmp.name, "stickerd.log")
        self.proc = None

    def start(self):
        # Its own disk cache, so no test is answered from another's renders,
        # and no background renders of repeated texts.
        args = [self.binary, "--socket", self.socket, "--workers", str(self.workers),
                "--disk-cache-dir", os.path.join(self._tmp.name, "cache"), "--predict", "off"]
        if self.queue_size is not None:
            args += ["--queue-size", str(self.queue_size)]
        args += self.extra_args
        args += shlex.split(os.environ.get("STICKERD_ARGS", ""))
        self._log = open(self.log_path, "ab")
        # Its own process group, so stopping it also reaches its workers if it dies badly.
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"stickerd exited with {self.proc.returncode}:\n{self.log()}")
            if not os.path.exists(self.socket):
                return False
            try:
                with Client(self.socket, timeout=2, connect_timeout=0.5) as c:
                    return c.stats().ready_workers >= self.workers
            except StickerdError:
                return False
        wait_for(ready, STARTUP_SECONDS, f"stickerd READY with {self.workers} workers")

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        self.proc = None

    def close(self):
        self.stop()
        self._tmp.cleanup()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
