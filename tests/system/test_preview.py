"""make preview (scripts/preview), tried as a new user would: weeks 1-3 of the lean option with the sample app on
real containers, the site served on localhost; the superuser it prints logs in there through Django's form and
the API lists the 8 judges; the first two testers' messages are where it says. Ctrl-C stops everything it started:
its process exits 0, the site, the emulator and the containers of its network are gone."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.harness.ansible import REPO
from tests.harness.containers import Browser
from tests.harness.docker_engine import base_images, docker
from tests.harness.emulator import free_port

pytestmark = pytest.mark.slow


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except OSError:
        return True


def test_preview_serves_the_site_until_ctrl_c_then_leaves_nothing(tmp_path):
    # The engine and the base images first, from this process: the engine the preview finds running is left
    # running (other tests use it); one it started itself it would stop.
    base_images()
    port = free_port()
    env = dict(os.environ, PRECEDENTUM_PREVIEW_PORT=str(port))
    proc = subprocess.Popen([sys.executable, str(REPO / "scripts" / "preview")], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 1200
        while not any("Up until Ctrl-C" in line for line in lines):
            assert proc.poll() is None, "".join(lines)[-5000:]
            assert time.monotonic() < deadline, "".join(lines)[-5000:]
            time.sleep(2)
        output = "".join(lines)
        assert f"The site:        http://localhost:{port}/" in output, output[-3000:]
        assert "lean plan: $" in output and "a month at list price" in output, output[-3000:]
        network = re.search(r"Docker network (\S+),", output).group(1)
        emulator_port = int(re.search(r"emulator http://127\.0\.0\.1:(\d+)", output).group(1))
        username, password = re.search(r"Log in as: +(\S+) / (\S+)", output).groups()
        messages = re.search(r"their messages are in (\S+)/ ", output).group(1)
        assert len(os.listdir(messages)) == 2

        browser = Browser(f"http://127.0.0.1:{port}", f"localhost:{port}", proto="http")
        status, body, _unused = browser.request("/")
        assert status == 200 and '<div id="root"></div>' in body
        status, body, answer = browser.login(username, password)
        assert status == 302 and answer["Location"] == "/", (status, body[:800])
        status, body, _unused = browser.request("/api/judges/")
        assert status == 200 and json.loads(body)["count"] == 8, body[:300]
        running = docker("ps", "-q", "--filter", f"label=precedentum.network={network}").stdout.split()
        assert running, "no container of the preview's network"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
        reader.join(10)
    output = "".join(lines)
    assert proc.returncode == 0, output[-3000:]
    assert "Stopped: nothing of the preview is left running." in output
    assert refused(port) and refused(emulator_port)
    assert not docker("ps", "-aq", "--filter", f"label=precedentum.network={network}").stdout.split()
    assert network not in docker("network", "ls", "--format", "{{.Name}}").stdout.split()
