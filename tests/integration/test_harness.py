"""The test equipment itself: the emulator launcher, the throwaway PostgreSQL and the browser."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.harness.ansible import REPO
from tests.harness.emulator import Emulator


def test_emulator_answers_on_loopback_and_stops(tmp_path):
    emu = Emulator().start()
    try:
        assert emu.endpoint.startswith("http://127.0.0.1:")
        assert emu.client("sts").get_caller_identity()["Account"]
        env = emu.env({"AWS_PROFILE": "real-account", "PATH": os.environ["PATH"]})
        assert "AWS_PROFILE" not in env and env["AWS_ENDPOINT_URL"] == emu.endpoint
        pid = emu.proc.pid
    finally:
        emu.stop()
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert not emu.answers()


def test_cli_start_prints_exports_and_stop_kills_only_its_own(tmp_path):
    state = tmp_path / "emu.json"
    cli = [sys.executable, "-m", "tests.harness.emulator"]
    out = subprocess.run([*cli, "start", "--state", str(state)], cwd=REPO, capture_output=True, text=True, check=True)
    info = json.loads(state.read_text())
    assert f"export AWS_ENDPOINT_URL={info['endpoint']}" in out.stdout
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        # A state file whose pid now belongs to another process: stop must leave that process alone.
        fake = tmp_path / "stale.json"
        fake.write_text(json.dumps({**info, "pid": bystander.pid}))
        subprocess.run([*cli, "stop", "--state", str(fake)], cwd=REPO, check=True, capture_output=True)
        assert bystander.poll() is None
        subprocess.run([*cli, "stop", "--state", str(state)], cwd=REPO, check=True, capture_output=True)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{info['pid']}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{info['pid']}")
    finally:
        bystander.kill()


def test_cli_run_passes_the_environment_and_exit_code():
    probe = "import os, sys; sys.exit(0 if os.environ['AWS_ENDPOINT_URL'].startswith('http://127.0.0.1:') else 3)"
    ok = subprocess.run([sys.executable, "-m", "tests.harness.emulator", "run", "--", sys.executable, "-c", probe],
                        cwd=REPO, check=False)
    assert ok.returncode == 0
    failing = subprocess.run([sys.executable, "-m", "tests.harness.emulator", "run", "--", "false"], cwd=REPO,
                             check=False)
    assert failing.returncode == 1


def test_aws_managed_policies_read_once_are_as_moto_has_them(emulator):
    """The emulators read AWS's managed policies once per process (tests/harness/moto_server.py), not at each
    account's IAM backend: what IAM answers is still moto's data, and each emulator's policies its own."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    expected = json.loads(aws_managed_policies_data)["AmazonECSTaskExecutionRolePolicy"]
    arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    iam = emulator.client("iam")
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert (policy["DefaultVersionId"], policy["Path"]) == (expected["DefaultVersionId"], expected["Path"])
    assert version["Document"] == expected["Document"]
    assert policy["CreateDate"].isoformat().startswith(expected["CreateDate"][:19])
    assert len(iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]) == 1000
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with Emulator() as other:
        assert other.client("iam").get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_the_docker_engine_is_stopped_only_by_the_run_that_started_it(tmp_path, monkeypatch):
    """A single test run beside the whole suite ends first: the suite's engine must go on running."""
    from tests.harness import docker_engine

    monkeypatch.setattr(docker_engine.Engine, "STARTED", tmp_path / "engine.json")
    monkeypatch.setattr(docker_engine, "STATE_DIR", tmp_path)
    monkeypatch.setattr(docker_engine, "docker", lambda *args, **kwargs: subprocess.CompletedProcess(args, 0, "", ""))
    # A stand-in for the engine: a process whose command line names dockerd, as the real one's does. The signals
    # sent to it are recorded (not delivered: under load a delivered one raced the test's wait), and once it is told
    # to stop it is gone, as the engine would be.
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "dockerd"])
    real_kill, sent = os.kill, []

    def kill(pid, sig):
        if pid != stand_in.pid:
            return real_kill(pid, sig)
        if sig != 0:
            sent.append(sig)
        elif sent:
            raise ProcessLookupError(pid)
        return None

    monkeypatch.setattr(docker_engine.os, "kill", kill)
    try:
        monkeypatch.setenv(docker_engine.RUN_VAR, "the-whole-suite")
        docker_engine.Engine.STARTED.write_text(json.dumps({"pid": stand_in.pid, "run": "the-whole-suite"}))
        monkeypatch.setenv(docker_engine.RUN_VAR, "one-test-beside-it")
        docker_engine.Engine.release_all()
        assert sent == [], "another run's engine was stopped"
        assert docker_engine.Engine.STARTED.exists()

        monkeypatch.setenv(docker_engine.RUN_VAR, "the-whole-suite")
        docker_engine.Engine.release_all()
        assert sent == [signal.SIGTERM]
        assert not docker_engine.Engine.STARTED.exists()
    finally:
        real_kill(stand_in.pid, signal.SIGKILL)
        stand_in.wait()


def test_postgres_fixture_is_a_real_server(postgres):
    postgres.psql("CREATE DATABASE harness_check")
    postgres.psql("CREATE TABLE judges (name text); INSERT INTO judges VALUES ('a'), ('b')", dbname="harness_check")
    assert postgres.psql("SELECT count(*) FROM judges", dbname="harness_check") == "2"
    assert postgres.psql("SHOW server_version_num").isdigit()


def test_the_browser_loads_a_page_again_after_chromiums_network_change_error():
    """Another test's Docker network appearing while Chromium loads a page makes Chromium show ERR_NETWORK_CHANGED
    without asking the site: the tester's step loads the page again rather than failing on a page never served."""
    from tests.harness.browser import Chromium

    class Driver:
        def __init__(self, pages):
            self.pages, self.asked, self.page_source = list(pages), [], ""

        def get(self, url):
            self.asked.append(url)
            self.page_source = self.pages.pop(0)

    chromium = Chromium(None, "screenshots")
    chromium.driver = Driver(["<div>net::ERR_NETWORK_CHANGED</div>", '<a id="login-link">Log in</a>'])
    chromium.open("https://site.example/")
    assert chromium.driver.asked == ["https://site.example/"] * 2
    assert "login-link" in chromium.driver.page_source
    # A site that really fails is not hidden: after the attempts, the error page stays for the step to report.
    chromium.driver = Driver(["net::ERR_NETWORK_CHANGED"] * 3)
    chromium.open("https://site.example/")
    assert len(chromium.driver.asked) == 3 and "ERR_NETWORK_CHANGED" in chromium.driver.page_source


def test_a_login_stopped_by_chromiums_network_change_error_is_done_again():
    """The same error page can come after a click (the login link, the form's submit): the step waiting for the next
    page's element sees it at once (not after its 30 s) and the tester's action starts again from the front page."""
    from tests.harness.browser import Chromium, NetworkChanged

    front, form = '<a id="login-link">Log in</a>', '<input id="id_username"><input id="id_password"><b id="login">'
    error = "<div>net::ERR_NETWORK_CHANGED</div>"

    class Element:
        def __init__(self, driver):
            self.driver = driver

        def click(self):
            self.driver.page_source = self.driver.pages.pop(0)

        def clear(self):
            pass

        def send_keys(self, text):
            self.driver.typed.append(text)

    class Driver:
        current_url = "https://site.example/"

        def __init__(self, pages):
            self.pages, self.asked, self.typed, self.page_source = list(pages), [], [], ""

        def get(self, url):
            self.asked.append(url)
            self.page_source = self.pages.pop(0)

        def find_elements(self, _by, css):
            return [Element(self)] if f'id="{css.lstrip("#")}"' in self.page_source else []

    chromium = Chromium(None, "screenshots")
    # The login link's page never came (error); the second time through, the form, then the front page again.
    chromium.driver = Driver([front, error, front, form, front])
    chromium.login("https://site.example", "admin", "secret")
    assert chromium.driver.asked == ["https://site.example/"] * 2 and chromium.driver.typed == ["admin", "secret"]
    assert chromium.driver.pages == [] and chromium.driver.page_source == front
    # Each time the error: after the attempts the step fails, naming it.
    chromium.driver = Driver([front, error] * 3)
    with pytest.raises(NetworkChanged, match="ERR_NETWORK_CHANGED while waiting for #id_username"):
        chromium.login("https://site.example", "admin", "secret")


def test_a_page_whose_script_failed_on_the_way_is_opened_again(monkeypatch):
    """The app's page came, but the script that draws it failed to load (the emulated endpoint's relay, loaded by
    the other tests): the element never comes, the console names the script, the tester's action starts again. A
    script that never loads fails the step, named; an element missing from a whole page fails at once."""
    from selenium.common.exceptions import TimeoutException

    from tests.harness import browser

    monkeypatch.setattr(browser, "WAIT_SECONDS", 0.2)
    shell, front = '<div id="root"></div>', '<div id="root"><a id="login-link">Log in</a></div>'
    failed = "https://site.example/assets/index-4f2a.js - Failed to load resource: net::ERR_CONNECTION_CLOSED"
    favicon = "https://site.example/favicon.ico - Failed to load resource: the server responded with a status of 404"

    class Driver:
        current_url = "https://site.example/"

        def __init__(self, pages):
            self.pages, self.asked, self.page_source, self.log = list(pages), [], "", []

        def get(self, url):
            self.asked.append(url)
            self.page_source, message = self.pages.pop(0)
            self.log = [{"level": "SEVERE", "message": message}] if message else []

        def get_log(self, _kind):
            log, self.log = self.log, []
            return log

        def find_elements(self, _by, css):
            return ["link"] if f'id="{css.lstrip("#")}"' in self.page_source else []

    chromium = browser.Chromium(None, "screenshots")
    chromium.driver = Driver([(shell, failed), (front, "")])
    assert chromium._again(lambda: (chromium.open("https://site.example/"), chromium.wait_for("#login-link"))[1])
    assert len(chromium.driver.asked) == 2
    assert chromium.retried == ["https://site.example/: #login-link did not come in 0 s; failed to load: "
                                "https://site.example/assets/index-4f2a.js (net::ERR_CONNECTION_CLOSED)"]

    chromium.driver = Driver([(shell, failed)] * 3)
    with pytest.raises(browser.ResourceFailed, match="index-4f2a.js"):
        chromium._again(lambda: (chromium.open("https://site.example/"), chromium.wait_for("#login-link")))
    assert len(chromium.driver.asked) == 3

    # A whole page without the element (a 404 is the site's answer, not a failure on the way): no second attempt.
    chromium.driver = Driver([(shell, favicon)] * 3)
    with pytest.raises(TimeoutException):
        chromium._again(lambda: (chromium.open("https://site.example/"), chromium.wait_for("#login-link")))
    assert len(chromium.driver.asked) == 1
