# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks of the alb role (pure logic, no AWS call)."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool, to_int

MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
# Characters an ALB path pattern may hold (case sensitive, * and ? wildcards).
PATTERN_RE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&()!,;=*?]*$")


LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _domain_error(var, name):
    """None when ``name`` is a lower-case DNS name of two labels or more, else the message."""
    labels = name.split(".") if isinstance(name, str) else []
    if len(labels) < 2 or len(name) > 253 or not all(LABEL_RE.match(label) for label in labels):
        return f"{var}: {name!r} is not a domain name such as app.example.com (lower case, no dot at the end)"
    return None


def alb_input_errors(inputs):
    errors = []
    for var in ("alb_backend_health_check_path", "alb_frontend_health_check_path"):
        path = inputs[var]
        if not isinstance(path, str) or not path.startswith("/") or len(path) > 1024:
            errors.append(f"{var}: {path!r} must be a path starting with / (e.g. /api/health/)")
    patterns = inputs["alb_backend_path_patterns"] or []
    if not 1 <= len(patterns) <= 5:
        errors.append(f"alb_backend_path_patterns: {len(patterns)} pattern(s); a listener rule takes 1 to 5")
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not PATTERN_RE.match(pattern) or len(pattern) > 128:
            errors.append(f"alb_backend_path_patterns[{i}]: {pattern!r} must start with / (e.g. /api/*), "
                          "at most 128 characters")
    if not MATCHER_RE.match(str(inputs["alb_health_check_matcher"])):
        errors.append(f"alb_health_check_matcher: {inputs['alb_health_check_matcher']!r} is not HTTP codes "
                      "such as 200, 200,302 or 200-399")
    interval, timeout = to_int(inputs["alb_health_check_interval"]), to_int(inputs["alb_health_check_timeout"])
    if interval is None or not 5 <= interval <= 300:
        errors.append(f"alb_health_check_interval: {inputs['alb_health_check_interval']}; AWS takes 5 to 300 seconds")
    if timeout is None or not 2 <= timeout <= 120:
        errors.append(f"alb_health_check_timeout: {inputs['alb_health_check_timeout']}; AWS takes 2 to 120 seconds")
    elif interval is not None and timeout >= interval:
        errors.append(
            f"alb_health_check_timeout: {timeout} s must be less than alb_health_check_interval ({interval} s)"
        )
    for var in ("alb_healthy_threshold", "alb_unhealthy_threshold"):
        value = to_int(inputs[var])
        if value is None or not 2 <= value <= 10:
            errors.append(f"{var}: {inputs[var]}; AWS takes 2 to 10")
    for var in ("alb_backend_port", "alb_frontend_port"):
        value = to_int(inputs[var])
        if value is None or not 1 <= value <= 65535:
            errors.append(f"{var}: {inputs[var]} is not a TCP port (1-65535)")
    ranges = {"alb_deregistration_delay": (0, 3600), "alb_idle_timeout": (1, 4000), "alb_wait_timeout": (1, 7200)}
    for var, (low, high) in ranges.items():
        value = to_int(inputs[var])
        if value is None or not low <= value <= high:
            errors.append(f"{var}: {inputs[var]}; takes {low} to {high} seconds")
    return errors


def alb_https_input_errors(inputs):
    """Phase 3.1's inputs: the domain (empty: no HTTPS), its zone, the wait."""
    domain, zone = inputs["alb_https_domain"], inputs["alb_https_zone"]
    errors = []
    if domain:
        errors.append(_domain_error("alb_https_domain", domain))
        if zone:
            errors.append(_domain_error("alb_https_zone", zone))
            if not errors[-1] and not (domain == zone or domain.endswith("." + zone)):
                errors.append(f"alb_https_zone: {zone!r} does not hold alb_https_domain ({domain!r})")
    elif zone:
        errors.append(f"alb_https_zone: {zone!r} is set but alb_https_domain is empty")
    for var in ("alb_https_zone_create", "alb_https_redirect"):
        if to_bool(inputs[var]) is None:
            errors.append(f"{var}: {inputs[var]!r} is not true or false")
    if not re.match(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$", str(inputs["alb_https_ssl_policy"])):
        errors.append(f"alb_https_ssl_policy: {inputs['alb_https_ssl_policy']!r} is not an ELB security policy "
                      "(e.g. ELBSecurityPolicy-TLS13-1-2-2021-06)")
    wait = to_int(inputs["alb_https_certificate_wait_timeout"])
    if wait is None or not 1 <= wait <= 3600:
        errors.append(f"alb_https_certificate_wait_timeout: {inputs['alb_https_certificate_wait_timeout']}; "
                      "takes 1 to 3600 seconds")
    return [e for e in errors if e]
