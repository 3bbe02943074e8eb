"""ECS's service-linked role before the first cluster (module iam_service_linked_role, phase 2.1).

The emulator refuses a cluster with capacity providers while the account lacks AWSServiceRoleForECS, as
AWS does for an account's first cluster (tests/harness/moto_server.py). Verified through IAM and ECS."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
PATH = "/aws-service-role/ecs.amazonaws.com/"


def linked_roles(emu) -> list[str]:
    return [r["RoleName"] for r in emu.client("iam").list_roles(PathPrefix=PATH)["Roles"]]


def test_the_role_is_made_once_and_then_the_first_cluster_works(emulator):
    ecs = emulator.client("ecs")
    with pytest.raises(botocore.exceptions.ClientError, match="Unable to assume the service linked role"):
        ecs.create_cluster(clusterName="first", capacityProviders=["FARGATE", "FARGATE_SPOT"])

    def ensure(*flags):
        return run_module("precedentum.deploy.iam_service_linked_role", {"aws_service_name": "ecs.amazonaws.com"},
                          emulator.env(), *flags)

    planned = ensure("--check")
    assert planned.rc == 0 and planned.result["changed"] is True, planned
    assert planned.result["actions"] == ["create the service-linked role of ecs.amazonaws.com"]
    assert linked_roles(emulator) == [], "check mode made the role"

    made = ensure()
    assert made.rc == 0 and made.result["changed"] is True and made.result["role_name"] == "AWSServiceRoleForECS", made
    assert linked_roles(emulator) == ["AWSServiceRoleForECS"]
    ecs.create_cluster(clusterName="first", capacityProviders=["FARGATE", "FARGATE_SPOT"])

    again = ensure()
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again
    assert linked_roles(emulator) == ["AWSServiceRoleForECS"]


def test_bad_input_is_refused_before_any_call(emulator):
    result = run_module("precedentum.deploy.iam_service_linked_role", {"aws_service_name": "ECS"}, emulator.env())
    assert result.rc != 0 and "aws_service_name:" in result.result["msg"], result
    assert linked_roles(emulator) == []
