"""What a tester does with the onboarding message the onboarding role wrote for them, in a real browser
(tests/harness/browser.py): the password-set link, their own password, the login, the judges."""

from __future__ import annotations

import re
from pathlib import Path

JUDGE = "Rebecca R. Pallmeyer — District Judge"  # one of the 8 of the sample app's seed


def message(messages: Path, email: str) -> tuple[str, str, str]:
    """(address, username, password-set link) of a tester's onboarding message."""
    text = (messages / f"{email}.txt").read_text()
    fields = dict(re.findall(r"^(Where|Username|Set your password): +(\S+)$", text, re.MULTILINE))
    return fields["Where"], fields["Username"], fields["Set your password"]


def first_visit(chromium, messages: Path, email: str, wave: int, site: str) -> str:
    """A tester's first visit from their message, which must give ``site`` (https://name/): the link, a password
    of their own, the login, the 8 judges; then the link no longer works. Their password."""
    where, username, link = message(messages, email)
    assert where == site and link.startswith(f"{site}accounts/reset/"), (where, link)
    password = f"{username.split('@')[0]}-own-password-{wave}"
    chromium.forget()
    with chromium.step(f"wave {wave}: {username} sets a password from the message's link"):
        chromium.set_password(link, password)
        chromium.wait_for("#password-set")
    with chromium.step(f"wave {wave}: {username} logs in and sees the judges"):
        chromium.login(site.rstrip("/"), username, password)
        judges = chromium.judges()
        assert JUDGE in judges and len(judges) == 8, judges
        assert chromium.driver.find_element("id", "username").text == username
    with chromium.step(f"wave {wave}: {username}'s link no longer works"):
        chromium.forget()
        chromium.open(link)
        chromium.wait_for("#invalid-link")
    return password


def cannot_log_in(chromium, site: str, username: str, password: str) -> None:
    chromium.forget()
    chromium.login(site.rstrip("/"), username, password)
    chromium.wait_for("#login-error")
