"""The alb role's input checks, as pure logic."""

from __future__ import annotations

import sys

import pytest

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.plugin_utils import alb  # noqa: E402

GOOD = {"alb_backend_health_check_path": "/api/health/", "alb_frontend_health_check_path": "/",
        "alb_backend_path_patterns": ["/api/*", "/admin/*", "/static/*"], "alb_health_check_matcher": "200-399",
        "alb_health_check_interval": 30, "alb_health_check_timeout": 5, "alb_healthy_threshold": 2,
        "alb_unhealthy_threshold": 3, "alb_backend_port": 8000, "alb_frontend_port": 80,
        "alb_deregistration_delay": 30, "alb_idle_timeout": 60, "alb_wait_timeout": 600}


def test_defaults_and_command_line_strings_are_accepted():
    assert alb.alb_input_errors(GOOD) == []
    strings = {"alb_health_check_interval": "10", "alb_health_check_matcher": "200,302"}
    assert alb.alb_input_errors({**GOOD, **strings}) == []


@pytest.mark.parametrize(("change", "variable"), [
    ({"alb_frontend_health_check_path": "health"}, "alb_frontend_health_check_path"),
    ({"alb_backend_path_patterns": []}, "alb_backend_path_patterns"),
    ({"alb_backend_path_patterns": ["api/*"]}, "alb_backend_path_patterns[0]"),
    ({"alb_health_check_matcher": "ok"}, "alb_health_check_matcher"),
    ({"alb_health_check_interval": 400}, "alb_health_check_interval"),
    ({"alb_health_check_timeout": 1}, "alb_health_check_timeout"),
    ({"alb_unhealthy_threshold": 11}, "alb_unhealthy_threshold"),
    ({"alb_backend_port": 0}, "alb_backend_port"),
    ({"alb_idle_timeout": 0}, "alb_idle_timeout"),
])
def test_each_bad_input_names_its_variable(change, variable):
    errors = alb.alb_input_errors({**GOOD, **change})
    assert errors and all(e.startswith(variable) for e in errors), errors


HTTPS = {"alb_https_domain": "", "alb_https_zone": "", "alb_https_zone_create": True, "alb_https_redirect": True,
         "alb_https_ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "alb_https_certificate_wait_timeout": 900}


def test_https_defaults_and_a_domain_in_its_parent_zone_are_accepted():
    assert alb.alb_https_input_errors(HTTPS) == []
    assert alb.alb_https_input_errors({**HTTPS, "alb_https_domain": "app.precedentum.example"}) == []
    assert alb.alb_https_input_errors({**HTTPS, "alb_https_domain": "app.precedentum.co.uk",
                                       "alb_https_zone": "precedentum.co.uk", "alb_https_redirect": "false"}) == []


@pytest.mark.parametrize(("change", "variable"), [
    ({"alb_https_domain": "App.Example.com"}, "alb_https_domain"),
    ({"alb_https_domain": "localhost"}, "alb_https_domain"),
    ({"alb_https_domain": "app.example.com."}, "alb_https_domain"),
    ({"alb_https_domain": "app.example.com", "alb_https_zone": "other.com"}, "alb_https_zone"),
    ({"alb_https_zone": "example.com"}, "alb_https_zone"),
    ({"alb_https_zone_create": "maybe"}, "alb_https_zone_create"),
    ({"alb_https_ssl_policy": "TLS1.3"}, "alb_https_ssl_policy"),
    ({"alb_https_certificate_wait_timeout": 0}, "alb_https_certificate_wait_timeout"),
])
def test_each_bad_https_input_names_its_variable(change, variable):
    errors = alb.alb_https_input_errors({**HTTPS, **change})
    assert len(errors) == 1 and errors[0].startswith(variable + ":"), errors
