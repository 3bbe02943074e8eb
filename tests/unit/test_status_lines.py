"""status.yml's screen (status_lines): a service's line says when ECS Exec is on, and the ultra-lean option's
line names the container service's ACTIVE deployment and its images."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.status import status_lines

SERVICE = {"name": "precedentum-testing-backend", "desired": 1, "running": 1, "pending": 0,
           "rollout_state": "COMPLETED", "deployments": 1, "task_definition": "precedentum-testing-backend:3",
           "image_tags": {"backend": "1a2b3c4d5e6f"}, "deployed_at": "2026-12-01T09:12:03+00:00", "targets": {},
           "exec": False, "tasks": []}


def found(**parts):
    return {"name_prefix": "precedentum-testing", "region": "us-east-1", **parts}


def line(lines, start):
    (chosen,) = [text for text in lines if text.startswith(start)]
    return chosen


def test_ecs_exec_is_said_only_when_on():
    off = line(status_lines(found(ecs={"services": {"backend": SERVICE}})), "service backend:")
    assert "ECS Exec" not in off and "1/1 task(s) running" in off
    on = line(status_lines(found(ecs={"services": {"backend": {**SERVICE, "exec": True}}})), "service backend:")
    assert on.endswith("; ECS Exec on (run.yml without a command prints the shell's line)")


def test_the_lightsail_line_names_the_active_deployment():
    deployments = [{"version": 3, "state": "ACTIVE", "image_tags": {"backend": "0f9e", "frontend": "0f9e"}},
                   {"version": 2, "state": "INACTIVE", "image_tags": {"backend": "1a2b", "frontend": "1a2b"}}]
    lightsail = {"service": {"name": "precedentum-lite", "exists": True, "url": "https://x/", "state": "RUNNING",
                             "deployments": deployments},
                 "database": {"name": "precedentum-lite-db", "exists": True}}
    lines = status_lines(found(lightsail=lightsail))
    assert line(lines, "container service") == (
        "container service precedentum-lite: deployment 3 ACTIVE, image 0f9e (2 kept by Lightsail)")
    none = {**lightsail, "service": {**lightsail["service"], "deployments": []}}
    assert not [text for text in status_lines(found(lightsail=none)) if text.startswith("container service")]
