"""Bad inventories fail before any AWS call, with a message naming the variable.

"Before any AWS call" is checked with moto's request recorder: the emulator must have received
no request at all. A control case shows that the recorder does see a good run's requests.
"""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook

BAD_INPUTS = [
    # (what is wrong, extra vars, the variable the message must name)
    ("CIDR prefix out of range", {"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr"),
    ("CIDR that is not one", {"network_vpc_cidr": "ten-dot-zero"}, "network_vpc_cidr"),
    ("VPC larger than AWS allows", {"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr"),
    ("host bits set", {"network_vpc_cidr": "10.0.0.1/16"}, "network_vpc_cidr"),
    ("one subnet only", {"network_public_subnet_cidrs": ["10.0.0.0/24"]}, "network_public_subnet_cidrs"),
    ("one availability zone", {"network_availability_zones": ["us-east-1a"]}, "network_availability_zones"),
    ("same zone twice", {"network_availability_zones": ["us-east-1a", "us-east-1a"]}, "network_availability_zones"),
    ("subnet outside the VPC", {"network_public_subnet_cidrs": ["10.9.0.0/24", "10.0.1.0/24"]},
     "network_public_subnet_cidrs[0]"),
    ("overlapping subnets", {"network_public_subnet_cidrs": ["10.0.0.0/23", "10.0.1.0/24"]},
     "network_public_subnet_cidrs[1]"),
    ("port out of range", {"network_app_ports": [80, 70000]}, "network_app_ports[1]"),
    ("port of the wrong type", {"network_app_ports": ["http"]}, "network_app_ports"),
    ("db port of the wrong type", {"network_db_port": "postgres"}, "network_db_port"),
    ("whitelist entry without prefix length", {"network_db_allowed_cidrs": ["198.51.100.7"]},
     "network_db_allowed_cidrs[0]"),
    ("whole internet on the DB without opt-in", {"network_db_allowed_cidrs": ["::/0"]}, "network_db_allowed_cidrs[0]"),
    ("opt-in that is not a boolean", {"network_db_allow_world": "perhaps"}, "network_db_allow_world"),
    ("name prefix with capitals", {"network_name_prefix": "Precedentum_Prod"}, "network_name_prefix"),
    ("name prefix too long", {"network_name_prefix": "precedentum-testing-longname"}, "network_name_prefix"),
    ("tags that are not a dict", {"network_tags": "Project=precedentum"}, "network_tags"),
    ("a typo in a variable name", {"network_vpc_cdir": "10.0.0.0/16"}, "network_vpc_cdir"),
]


@pytest.mark.parametrize(("case", "extra_vars", "variable"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_fails_before_any_aws_call(recording_emulator, case, extra_vars, variable):
    run = run_playbook(str(REPO / "playbooks/week1.yml"), recording_emulator.env(), extra_vars=extra_vars)
    assert run.rc != 0, f"{case}: accepted\n{run}"
    assert variable in run.flat, f"{case}: the message does not name {variable}\n{run}"
    assert recording_emulator.recorded_requests() == [], f"{case}: AWS was called before the input was refused"


def test_recorder_sees_a_good_run(recording_emulator):
    """Control for the test above: a valid check-mode run does reach the emulator."""
    run = run_playbook(str(REPO / "playbooks/week1.yml"), recording_emulator.env(), "--check")
    assert run.rc == 0, run
    assert len(recording_emulator.recorded_requests()) > 0
