"""Prebuilt accounts: what a playbook builds, built once per test run and replayed into each test's emulator.

Many tests need week 1 (or part of it) in place before they start on what they test, and a real
week1.yml costs a minute and a half of CPU. The first test that asks for an account runs the
playbook for real, against a fresh emulator that records every request it receives (moto's
recorder) with its random numbers seeded; every later test gets the same requests sent again
to its own emulator, seeded the same way: the same VPC ids, ARNs and secret values, in about
five seconds. The tests of the playbook itself (test_network.py, test_rds.py, ...) keep running it
for real; a prebuilt account is only ever a starting point.

A replay is checked: the identifiers (ids, ARNs, names) of everything in the replayed account
must equal those of the recorded one, or the test fails at once with the difference.

Recordings live for one test run, in a directory all pytest-xdist workers share, behind a file
lock: one worker builds, the others wait and then replay. A recording of week 1 then week 2 starts
from the recording of week 1 (replayed, recorded again), so week 1 runs for real once per test run.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import ecs_resources, week1_resources
from tests.harness.emulator import Emulator

SEED = 20261125
IDENTIFIER = re.compile(r"(Id|Arn|ARN|arn|Name|name|Identifier)$")


def identifiers(emu) -> list[str]:
    """Every id, ARN and name in the account, as 'key=value' strings, sorted."""
    found: set[str] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and IDENTIFIER.search(key):
            found.add(f"{key}={value}")

    walk(week1_resources(emu))
    walk(ecs_resources(emu))
    return sorted(found)


def replay(emu: Emulator, recording: bytes, seed: bool = True) -> None:
    """Send the recorded requests to ``emu`` in order, after seeding it as the recording was seeded
    (unless the caller has).

    Requests that failed when recorded (a describe before a create) fail again; a server error is
    raised.
    """
    if seed:
        emu.api(f"/moto-api/seed?a={SEED}")
    for line in recording.decode().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        body = row.get("body", "{}")
        if row.get("body_encoded"):
            body = base64.b64decode(body)
        elif isinstance(body, str):
            body = body.encode()
        url = urlsplit(row["url"])
        target = f"{emu.endpoint}{url.path}" + (f"?{url.query}" if url.query else "")
        headers = {k: v for k, v in row["headers"].items()
                   if k.lower() not in ("host", "transfer-encoding", "content-length")}
        request = urllib.request.Request(target, data=body or None, headers=headers, method=row["method"])
        if not any(k.lower() == "content-type" for k in headers):
            # As recorded: urllib would send a form's Content-Type, and moto would read S3's XML bodies as a form.
            request.add_unredirected_header("Content-type", "")
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                resp.read()
        except urllib.error.HTTPError as err:
            if err.code >= 500:
                raise RuntimeError(f"replaying {row['method']} {url.path} gave {err.code}: "
                                   f"{err.read()[:300]!r}") from err


class Prebuilt:
    """prebuilt(emu, 'week1.yml', '--tags', 'network'): the account that command builds, in ``emu``.
    prebuilt(emu, ['week1.yml', 'week2.yml']): the playbooks run one after the other.

    ``emu`` is restarted first (an empty account; its recorder, if on, starts again): the replay
    must start where the recording started, a server never used, to give the same identifiers.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, emu: Emulator, playbook: str | list[str], *args: str, extra_vars: dict | None = None,
                 inventory: str = "inventories/lean") -> None:
        recording, expected = self.recording(playbook, args, extra_vars, inventory)
        emu.restart()
        # The test's own record of requests (recording_emulator) holds only what the test sends.
        if emu.recording_path:
            emu.api("/moto-api/recorder/stop-recording")
        replay(emu, recording)
        got = identifiers(emu)
        if emu.recording_path:
            emu.start_recording()
        if got != expected:
            missing = sorted(set(expected) - set(got))[:10]
            extra = sorted(set(got) - set(expected))[:10]
            raise AssertionError(f"the replayed {playbook} {' '.join(args)} differs from the recorded one: "
                                 f"missing {missing}, unexpected {extra}")

    def run_of(self, playbook: str | list[str], *args: str, extra_vars: dict | None = None,
               inventory: str = "inventories/lean") -> tuple[str, list[dict]]:
        """(output, requests) of the real run behind a recording: what ansible-playbook printed for the
        last playbook, and every AWS request of the recording (moto's recorder rows)."""
        recording, _unused = self.recording(playbook, args, extra_vars, inventory)
        key = self._key(playbook, args, extra_vars, inventory)
        requests = [json.loads(line) for line in recording.decode().splitlines() if line.strip()]
        return (self.directory / f"{key}.out").read_text(), requests

    @staticmethod
    def _key(playbook, args, extra_vars, inventory) -> str:
        return hashlib.sha256(json.dumps([playbook, list(args), extra_vars, inventory]).encode()).hexdigest()[:16]

    def recording(self, playbook: str | list[str], args: tuple, extra_vars: dict | None,
                  inventory: str) -> tuple[bytes, list]:
        key = self._key(playbook, list(args), extra_vars, inventory)
        data, ids = self.directory / f"{key}.jsonl", self.directory / f"{key}.ids.json"
        with open(self.directory / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not data.exists():
                self._record(data, ids, data.with_suffix(".out"), playbook, args, extra_vars, inventory)
        return data.read_bytes(), json.loads(ids.read_text())

    def _record(self, data: Path, ids: Path, output: Path, playbook: str | list[str], args: tuple,
                extra_vars: dict | None, inventory: str) -> None:
        """Run the playbook(s) for real into a recording emulator. For a list, the account of all but
        the last is itself a recording (made or reused): replayed, recorded again, then the last runs."""
        names = [playbook] if isinstance(playbook, str) else list(playbook)
        before = None
        if len(names) > 1:
            before, _unused = self.recording(names[:-1] if len(names) > 2 else names[0], args, extra_vars, inventory)
        with Emulator(record=True) as emu:
            emu.api(f"/moto-api/seed?a={SEED}")
            emu.start_recording()  # after the seed: the recorder would keep that call too
            if before is not None:
                replay(emu, before, seed=False)
            run = run_playbook(str(REPO / "playbooks" / names[-1]), emu.env(), *args, inventory=inventory,
                               extra_vars=extra_vars)
            if run.rc != 0:
                raise RuntimeError(f"building the prebuilt account failed:\n{run}")
            emu.api("/moto-api/recorder/stop-recording")
            recording = emu.api("/moto-api/recorder/download-recording", method="GET")
            ids.write_text(json.dumps(identifiers(emu)))
            output.write_text(run.output)
        partial = data.with_suffix(".partial")
        partial.write_bytes(recording)
        os.replace(partial, data)


def shared_directory(tmp_path_factory) -> Path:
    """A directory of this test run that every xdist worker sees (the workers' basetemps' parent)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "prebuilt"
