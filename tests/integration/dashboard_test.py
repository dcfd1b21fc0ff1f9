#!/usr/bin/env python3
"""The Grafana dashboard and the alert rules name only metrics stickerd exports.

Starts a real stickerd (one worker, metrics on a free loopback port), scrapes
/metrics, does the same with a cluster-mode stickerd against a real
redis-server (the cluster series exist only in cluster mode), and checks every panel expr of dashboards/stickerd.json and every
rule expr of dashboards/alerts.yml against the scraped names; promtool checks
the rules' syntax. Run by meson with STICKERD_BIN, STICKERD_SOURCE_ROOT, ...
"""
import json
import os
import re
import socket
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.environ["STICKERD_SOURCE_ROOT"]
METRIC = re.compile(r"\b((?:bot|stickerd)_[a-zA-Z0-9_]+)")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(tmp):
    """A throw-away redis-server on a free loopback port; (process, port)."""
    port = free_port()
    with open(os.path.join(tmp, "redis.log"), "w") as log:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp], stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return redis, port
        except OSError:
            time.sleep(0.05)
    redis.kill()
    fail("redis-server did not answer PING")


def scrape_names(extra_args=(), wanted="stickerd_worker_resident_memory_bytes{"):
    tmp = tempfile.mkdtemp(prefix="sddash")
    log_path = os.path.join(tmp, "log")
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(
            [os.environ["STICKERD_BIN"], "--socket", os.path.join(tmp, "s.sock"),
             "--control-socket", os.path.join(tmp, "c.sock"), "--workers", "1",
             "--disk-cache-dir", os.path.join(tmp, "cache"),
             "--metrics-address", "127.0.0.1:0", *extra_args],
            stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        port = None
        while port is None and time.monotonic() < deadline:
            m = re.search(r"metrics on \S+ \(port (\d+)\)", open(log_path).read())
            if m:
                port = int(m.group(1))
            elif daemon.poll() is not None:
                fail("stickerd exited:\n" + open(log_path).read())
            else:
                time.sleep(0.05)
        if port is None:
            fail("stickerd did not report its metrics port:\n" + open(log_path).read())
        # Per-slot gauges appear with the first heartbeat (once a second),
        # the cluster gauges with the first survey (every 5 s).
        text = ""
        while wanted not in text and time.monotonic() < deadline:
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
            time.sleep(0.2)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind in ("histogram", "summary"):
                names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def scrape_cluster_names():
    if not shutil.which("redis-server"):
        fail("redis-server is not installed (scripts/install-deps installs it)")
    tmp = tempfile.mkdtemp(prefix="sddashr")
    redis, port = start_redis(tmp)
    try:
        return scrape_names(("--redis", f"redis://127.0.0.1:{port}", "--node-name", "dash"),
                            wanted="stickerd_cluster_pending{")
    finally:
        redis.kill()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    exported = scrape_names() | scrape_cluster_names()
    with open(os.path.join(ROOT, "dashboards", "stickerd.json")) as f:
        dash = json.load(f)
    for key in ("uid", "title", "panels", "templating"):
        if key not in dash:
            fail(f"dashboard has no '{key}'")
    variables = {v["name"] for v in dash["templating"]["list"]}
    if "DS_PROMETHEUS" not in variables:
        fail("dashboard has no DS_PROMETHEUS datasource variable")
    titles = set()
    for panel in dash["panels"]:
        titles.add(panel["title"])
        if panel["datasource"]["uid"] != "${DS_PROMETHEUS}":
            fail(f"panel '{panel['title']}' does not use ${{DS_PROMETHEUS}}")
        if not panel.get("targets"):
            fail(f"panel '{panel['title']}' has no targets")
        for target in panel["targets"]:
            names = METRIC.findall(target["expr"])
            if not names:
                fail(f"panel '{panel['title']}' expr names no stickerd metric: {target['expr']}")
            unknown = [n for n in names if n not in exported]
            if unknown:
                fail(f"panel '{panel['title']}' uses metrics stickerd does not export: {unknown}")
    for wanted in ("Active workers", "Queue size", "Throughput (tasks/s)", "Worker restarts by reason",
                   "Rejections by reason", "Queue wait (p50, p99)", "Cache hit ratio",
                   "Cluster nodes", "Cluster stream depth", "Cluster pending entries",
                   "Cluster reclaimed and dead-lettered"):
        if wanted not in titles:
            fail(f"dashboard lacks the panel '{wanted}'")

    rules = open(os.path.join(ROOT, "dashboards", "alerts.yml")).read()
    for expr in re.findall(r"^\s*expr:\s*(.+)$", rules, re.M):
        unknown = [n for n in METRIC.findall(expr) if n not in exported]
        if unknown:
            fail(f"alert expr uses metrics stickerd does not export: {unknown}")
    if shutil.which("promtool"):
        check = subprocess.run(["promtool", "check", "rules", os.path.join(ROOT, "dashboards", "alerts.yml")],
                               capture_output=True, text=True)
        print(check.stdout, check.stderr)
        if check.returncode != 0:
            fail("promtool check rules failed")
    else:
        print("promtool not installed: rule syntax not checked")
    print(f"ok: {len(dash['panels'])} panels and the alert rules use only the {len(exported)} exported names")


if __name__ == "__main__":
    main()
