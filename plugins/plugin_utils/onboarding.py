# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding role's logic (pure, no AWS): testers of a wave as app accounts, and input checks."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.django_rules import (
    email_problem,
    normalize_email,
    normalize_username,
    username_problem,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
URL_RE = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def _waves(testers, wave1_size):
    """The wave of each tester: its own, or by position among those without one."""
    waves, unassigned = [], 0
    for tester in testers:
        if tester.get("wave") not in (None, ""):
            waves.append(int(tester["wave"]))
        else:
            unassigned += 1
            waves.append(1 if unassigned <= int(wave1_size) else 2)
    return waves


def onboarding_accounts(testers, wave="all", wave1_size=2):
    accounts = []
    for tester, tester_wave in zip(testers, _waves(testers, wave1_size), strict=True):
        if str(wave) != "all" and tester_wave != int(wave):
            continue
        name = " ".join(str(tester.get("name", "")).split())
        first, _unused, last = name.partition(" ")
        email = normalize_email(tester["email"])
        accounts.append({"username": normalize_username(tester.get("username") or email.lower()), "email": email,
                         "first_name": first, "last_name": last, "name": name or email, "wave": tester_wave})
    return accounts


def onboarding_input_errors(inputs):
    errors = []
    testers = inputs["onboarding_testers"]
    if not isinstance(testers, list):
        return [f"onboarding_testers: a list of testers (name, email, optional wave), not {type(testers).__name__}"]
    seen = set()
    for i, tester in enumerate(testers):
        where = f"onboarding_testers[{i}]"
        if not isinstance(tester, dict):
            errors.append(f"{where}: a tester is a mapping with name and email")
            continue
        unknown = sorted(set(tester) - {"name", "email", "wave", "username"})
        if unknown:
            errors.append(f"{where}: unknown key(s) {', '.join(unknown)} (name, email, wave, username)")
        email = tester.get("email")
        problem = email_problem(email) if isinstance(email, str) else "is not an e-mail address"
        if problem:
            errors.append(f"{where}.email: {email!r} {problem} (every tester needs one)")
        elif email.strip().lower() in seen:
            errors.append(f"{where}.email: {email!r} is listed twice")
        else:
            seen.add(email.strip().lower())
        if not isinstance(tester.get("name", ""), str) or len(tester.get("name", "")) > 300:
            errors.append(f"{where}.name: a name of at most 300 characters")
        if tester.get("wave") not in (None, "", 1, 2, "1", "2"):
            errors.append(f"{where}.wave: {tester.get('wave')!r}; 1 (week 3) or 2 (week 4)")
        if "username" in tester and username_problem(tester["username"]):
            errors.append(f"{where}.username: {tester['username']!r} {username_problem(tester['username'])}")
        elif not problem and "username" not in tester and username_problem(email.strip().lower()):
            errors.append(f"{where}.email: {email!r} cannot be a Django username ("
                          f"{username_problem(email.strip().lower())}): give the tester a username")
    if str(inputs["onboarding_wave"]) not in ("1", "2", "all"):
        errors.append(f"onboarding_wave: {inputs['onboarding_wave']!r}; 1, 2 or all")
    size = inputs["onboarding_wave1_size"]
    if isinstance(size, bool) or not str(size).isdigit() or not 0 <= int(size) <= 50:
        errors.append(f"onboarding_wave1_size: {size!r}; 0 to 50")
    if inputs["onboarding_app_url"] and not URL_RE.match(str(inputs["onboarding_app_url"])):
        errors.append(f"onboarding_app_url: {inputs['onboarding_app_url']!r} is not an http(s) URL")
    send = inputs["onboarding_send_email"]
    if to_bool(send) is None:
        errors.append(f"onboarding_send_email: {send!r} is not true or false")
    elif to_bool(send) and not EMAIL_RE.match(
            re.sub(r"^[^<]*<|>$", "", str(inputs["onboarding_sender"]))):
        errors.append("onboarding_sender: an SES-verified address is needed when onboarding_send_email is on")
    directory = str(inputs["onboarding_message_dir"])
    if not directory.startswith("/") and not directory.startswith("~"):
        errors.append(f"onboarding_message_dir: {directory!r} must be an absolute path (outside the repository)")
    elif inputs.get("repository") and (directory + "/").startswith(inputs["repository"].rstrip("/") + "/"):
        errors.append(f"onboarding_message_dir: {directory!r} is inside the repository; the messages hold "
                      "passwords - choose a folder outside it")
    usernames = {a["username"] for a in onboarding_accounts(testers)} if not errors else set()
    resets = inputs["onboarding_reset_passwords"]
    if not isinstance(resets, list):
        errors.append("onboarding_reset_passwords: a list of tester e-mails or usernames")
    elif not errors:
        by_email = {a["email"].lower(): a["username"] for a in onboarding_accounts(testers)}
        unknown = [r for r in resets if str(r) not in usernames and str(r).lower() not in by_email]
        if unknown:
            errors.append(f"onboarding_reset_passwords: {', '.join(map(str, unknown))} not in onboarding_testers")
    if not isinstance(inputs["onboarding_test_focus"], list) or not inputs["onboarding_test_focus"]:
        errors.append("onboarding_test_focus: a non-empty list of what testers should try")
    return errors


def onboarding_resets(resets, accounts):
    """Usernames of ``accounts`` named in ``resets`` (by username or e-mail)."""
    wanted = {str(r).lower() for r in resets}
    return [a["username"] for a in accounts if a["username"].lower() in wanted or a["email"].lower() in wanted]


def onboarding_users(accounts):
    """The accounts as django_users takes them (username, email, first_name, last_name)."""
    return [{k: a[k] for k in ("username", "email", "first_name", "last_name")} for a in accounts]
