"""A real browser for the tests: Debian's headless Chromium, driven by Selenium through Debian's chromedriver.

It reaches the emulated sites only through ``Sites``' forward proxy (tests/harness/served_sites.py), so it asks
for the load balancer's DNS name, the team's domain over HTTPS or the Lightsail service's name as a tester's
browser would, and anything else a page asks for is refused there. The local CA's key is the one Chromium
accepts in place of Amazon's (``--ignore-certificate-errors-spki-list``); every other certificate error stays
an error.

Each ``step`` keeps a screenshot under the test's output folder (``<tmp_path>/screenshots``), and a step that
fails says what the page showed (its address, title and text) besides keeping its screenshot.

    with Chromium(sites, tmp_path / "screenshots") as browser:
        with browser.step("judges after login"):
            browser.login("http://lb-name", "admin", "secret")
            names = browser.judges()
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 30
# Chromium's own error page when the machine's network configuration changed while a page loaded: here, the Docker
# engine adding or removing another test's network. The site was never asked; the page is loaded again (open), or
# the tester's action done again from its start (login, set_password, files, judges: see ``_again``).
NETWORK_CHANGED = "ERR_NETWORK_CHANGED"
ATTEMPTS = 3
# What Chromium's console says of a resource the page asked for and never got whole: a transport error, or a
# server error status (a 404, say a missing favicon, is the site's answer and not retried).
RESOURCE_FAILED = re.compile(
    r"(\S+) - Failed to load resource: (net::ERR_\w+|the server responded with a status of 5\d\d)")


class PageNotLoaded(Exception):
    """The step's element never came because the page did not come whole: the tester's action is done again."""


class NetworkChanged(PageNotLoaded):
    """Chromium showed ERR_NETWORK_CHANGED where the step waited for an element of the site's page."""


class ResourceFailed(PageNotLoaded):
    """The element never came, and the console says a resource of the page (its script, an API call) failed on the
    way: the page's shell came, the app in it never ran (seen once on the emulated Lightsail endpoint, under the
    load of the whole suite)."""


def unavailable() -> str:
    """Why no browser test can run here ("" when one can)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return f"{' and '.join(missing)} missing (make setup installs Debian's chromium and chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (make setup installs requirements/dev.txt)"
    return ""


class StepFailed(AssertionError):
    pass


class Chromium:
    def __init__(self, sites, screenshots: Path):
        self.sites = sites
        self.screenshots = Path(screenshots)
        self.shots: list[Path] = []
        self.driver = None
        self._profile = ""
        self.console: list[str] = []  # the console's messages since the last page was opened
        self.retried: list[str] = []  # why a tester's action was done again (PageNotLoaded), in order

    def __enter__(self) -> Chromium:
        why = unavailable()
        if why:
            raise RuntimeError(f"the browser tests need Chromium: {why}")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        # Selenium's own driver manager would look for a browser to download: the system's are given instead.
        os.environ.setdefault("SE_OFFLINE", "true")
        os.environ.setdefault("SE_AVOID_STATS", "true")
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self._profile = tempfile.mkdtemp(prefix="precedentum-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-extensions", "--window-size=1200,900",
                    # Chromium tries https:// first for an http:// address and falls back when port 443 does
                    # not answer; behind a proxy that fallback never comes (the tunnel's failure is final), so
                    # the address typed is the one asked for, as the tests mean it.
                    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,OptimizationHints,"
                    "AutofillServerCommunication,MediaRouter,Translate", "--disable-domain-reliability",
                    "--disable-client-side-phishing-detection", "--no-default-browser-check",
                    f"--user-data-dir={self._profile}", f"--proxy-server=http://{self.sites.proxy}",
                    f"--ignore-certificate-errors-spki-list={self.sites.ca.spki_sha256}"):
            options.add_argument(arg)
        # The console (a resource that failed to load, a script's error) is read when a step's element never comes.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(60)
        return self

    def __exit__(self, *exc) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):
                self.driver.quit()
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)

    # --- what a tester does ------------------------------------------------------------------------------------

    def read_console(self) -> list[str]:
        """The console's messages since the last page was opened (Chromium hands each over once)."""
        try:
            entries = self.driver.get_log("browser")
        except Exception:  # noqa: BLE001 - a driver that keeps no log (the harness's own tests)
            entries = []
        self.console += [f"{entry.get('level')}: {entry.get('message')}" for entry in entries]
        return self.console

    def open(self, url: str, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.read_console()
            self.console = []
            self.driver.get(url)
            if NETWORK_CHANGED not in (self.driver.page_source or "") or attempt == attempts - 1:
                return
            time.sleep(1)

    def wait_for(self, css: str, timeout: float | None = None):
        """The first element CSS finds, once there (WAIT_SECONDS at most); NetworkChanged at once if Chromium shows its
        network error page, ResourceFailed past the wait if the console names a resource of the page as failed."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        timeout = WAIT_SECONDS if timeout is None else timeout

        def found(driver):
            elements = driver.find_elements(By.CSS_SELECTOR, css)
            if elements:
                return elements[0]
            if NETWORK_CHANGED in (driver.page_source or ""):
                raise NetworkChanged(f"{driver.current_url}: {NETWORK_CHANGED} while waiting for {css}")
            return False

        try:
            return WebDriverWait(self.driver, timeout).until(found)
        except TimeoutException:
            failed = sorted({f"{m[1]} ({m[2]})" for m in map(RESOURCE_FAILED.search, self.read_console()) if m})
            if failed:
                raise ResourceFailed(f"{self.driver.current_url}: {css} did not come in {timeout:.0f} s; "
                                     f"failed to load: {', '.join(failed)}") from None
            raise

    def _again(self, action, attempts: int = ATTEMPTS):
        """action() again from its start when the page did not come whole (PageNotLoaded: Chromium's network error
        page, a resource the console names as failed); the last attempt raises. Each reason is kept in retried."""
        for _attempt in range(attempts - 1):
            try:
                return action()
            except PageNotLoaded as reason:
                self.retried.append(str(reason))
                time.sleep(1)
        return action()

    def fill(self, css: str, text: str) -> None:
        field = self.wait_for(css)
        field.clear()
        field.send_keys(text)

    def click(self, css: str) -> None:
        self.wait_for(css).click()

    def login(self, base: str, username: str, password: str) -> None:
        """From the app's front page: its login link, Django's login form, back to the front page."""
        def once():
            self.open(f"{base}/")
            self.click("#login-link")
            self.fill("#id_username", username)
            self.fill("#id_password", password)
            self.click("#login")
        self._again(once)

    def judges(self) -> list[str]:
        """The judges the front page lists (it loads them from the API once the visitor is logged in)."""
        from selenium.webdriver.common.by import By

        def once():
            try:
                self.wait_for("#judge-count")
            except PageNotLoaded:
                self.driver.refresh()
                raise
        self._again(once)
        return [item.text for item in self.driver.find_elements(By.CSS_SELECTOR, "#judges li.judge")]

    def files(self, base: str) -> list[str]:
        """The files the sample app's files page lists (/accounts/files/, logged in)."""
        from selenium.webdriver.common.by import By

        def once():
            self.open(f"{base}/accounts/files/")
            self.wait_for("#files")
        self._again(once)
        return [item.text for item in self.driver.find_elements(By.CSS_SELECTOR, "#files li.file")]

    def upload(self, base: str, path: Path) -> list[str]:
        """Upload a file of this machine through the files page's form; the files listed after it."""
        self.files(base)
        self.wait_for("#file").send_keys(str(path))
        self.click("#send")
        return self.files(base)

    def set_password(self, link: str, password: str) -> None:
        """An onboarding link: Django's password-set page, the new password twice."""
        def once():
            self.open(link)
            self.fill("#id_new_password1", password)
            self.fill("#id_new_password2", password)
            self.click("button[type=submit], input[type=submit]")
        self._again(once)

    def forget(self) -> None:
        """Every cookie of every site gone: the next visitor starts logged out."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def text(self) -> str:
        from selenium.webdriver.common.by import By

        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except Exception:  # noqa: BLE001 - a page with no body yet
            return ""

    # --- evidence ---------------------------------------------------------------------------------------------

    def shot(self, name: str) -> Path:
        path = self.screenshots / f"{len(self.shots) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
        self.driver.save_screenshot(str(path))
        self.shots.append(path)
        return path

    @contextlib.contextmanager
    def step(self, name: str):
        """One step of a tester's path: a screenshot at its end, and on failure what the page showed."""
        try:
            yield self
        except Exception as error:
            try:
                path = self.shot(f"{name} FAILED")
                seen = (f"the page at {self.driver.current_url} ({self.driver.title!r}) showed:\n"
                        f"{self.text()[:1500]}\n(screenshot: {path})")
            except Exception as inner:  # noqa: BLE001 - the browser itself is gone
                seen = f"no page to show ({inner!r})"
            refused = f"\nrefused by the proxy: {self.sites.refused[-5:]}" if self.sites.refused else ""
            console = "".join(f"\nconsole: {line[:300]}" for line in self.read_console()[-8:])
            retried = "".join(f"\ndone again after: {line[:300]}" for line in self.retried)
            raise StepFailed(f"step {name!r} failed: {error!r}\n{seen}{refused}{console}{retried}") from error
        self.shot(name)
