"""The harness's playbook runner (tests/harness/playbook_runner.py): a playbook run in a fork of the
server behaves as under ansible-playbook itself (arguments, environment, working directory, output,
exit code, its own temporary directory each time); a run with other settings is not taken; a run past
its timeout is killed with everything it started."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.harness.ansible import REPO, PlaybookRun, ansible_env
from tests.harness.playbook_runner import PlaybookRunner

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Report
      ansible.builtin.debug:
        msg: "var={{ lookup('ansible.builtin.env', 'RUNNER_TEST_VAR') }} extra={{ extra | default('none') }}"
    - name: Write a file (its content goes through the run's local temporary directory)
      ansible.builtin.copy:
        content: "{{ extra | default('none') }}\n"
        dest: "{{ out }}"
        mode: "0600"
    - name: Sleep when asked
      ansible.builtin.command: sleep 3601
      changed_when: false
      when: sleep | default(false) | bool
    - name: Fail when asked
      ansible.builtin.fail:
        msg: failing as asked
      when: fail | default(false) | bool
"""


@pytest.fixture(scope="module")
def runner():
    env = ansible_env({**os.environ, "PRECEDENTUM_MODULE_RUNNER": "off"})
    started = PlaybookRunner(env, str(REPO))
    yield started, env
    started.stop()


def playbook(tmp_path):
    path = tmp_path / "play.yml"
    path.write_text(PLAY)
    return ["ansible-playbook", str(path), "-i", "localhost,", "-c", "local", "-e",
            f"ansible_python_interpreter={sys.executable}"]


def test_a_run_behaves_as_under_ansible_playbook(runner, tmp_path):
    server, env = runner
    env = {**env, "RUNNER_TEST_VAR": "from the test"}
    assert server.takes(env, str(REPO))
    out = tmp_path / "out"
    code, output = server.run([*playbook(tmp_path), "-e", f"extra=given out={out}"], env, str(REPO), timeout=120)
    assert code == 0, output
    flat = " ".join(output.split())
    assert "var=from the test extra=given" in flat
    assert "ok=2 changed=1" in flat
    assert out.read_text().strip() == "given"
    # A second run has a temporary directory of its own (the first removed its own at exit).
    code, output = server.run([*playbook(tmp_path), "-e", f"extra=again out={out} fail=true"], env, str(REPO),
                              timeout=120)
    assert code == 2, output
    assert "failing as asked" in output
    assert out.read_text().strip() == "again"


def test_other_settings_or_directory_are_not_taken(runner, tmp_path):
    server, env = runner
    assert not server.takes({**env, "ANSIBLE_FORKS": "7"}, str(REPO))
    assert not server.takes({**env, "HOME": str(tmp_path)}, str(REPO))
    assert not server.takes(env, str(tmp_path))


def test_a_run_past_its_timeout_is_killed_with_what_it_started(runner, tmp_path):
    server, env = runner
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        server.run([*playbook(tmp_path), "-e", f"sleep=true out={tmp_path / 'out'}"], env, str(REPO), timeout=8)
    assert time.monotonic() - started < 30
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _sleepers():
        time.sleep(0.1)
    assert not _sleepers(), "the playbook's command outlived the killed run"


def _sleepers() -> list:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if cmdline[:2] == [b"sleep", b"3601"] and state != "Z":
            found.append(pid)
    return found


def test_the_recap_is_the_last_plays_summed_over_its_hosts():
    # cost.yml (and so week4.yml and site.yml) ends with a host for each option it prices beside the plan: a
    # change on localhost must count although those hosts sort after it.
    output = """PLAY RECAP ***
localhost : ok=9 changed=4 unreachable=0 failed=0 skipped=0
PLAY RECAP ***
localhost                  : ok=54   changed=2    unreachable=0    failed=0    skipped=3
precedentum_tier_growth    : ok=36   changed=0    unreachable=0    failed=1    skipped=1
"""
    run = PlaybookRun(["ansible-playbook"], 0, output)
    assert run.recap == {"ok": 90, "changed": 2, "unreachable": 0, "failed": 1}
    assert run.changed == 2 and PlaybookRun([], 0, "no recap").changed == -1
