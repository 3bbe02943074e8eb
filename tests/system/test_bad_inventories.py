"""Bad inventories fail before any AWS call, with a message naming the variable: every role's inputs,
the option itself, both options' playbooks.

"Before any AWS call" is checked with moto's request recorder: the emulator must have received
no request at all. A control case shows that the recorder does see a good run's requests.
"""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook

BAD_INPUTS = [
    # (what is wrong, extra vars, the variable the message must name). One or two shapes per check: the
    # network filter's other shapes are in tests/unit/test_network_filter.py (pure logic, no playbook run).
    # the inventory's option and names (playbooks/tasks/option.yml, before every playbook)
    ("an unknown option (tier)", {"precedentum_option": "enterprise"}, "precedentum_option"),
    ("an unknown platform", {"precedentum_platform": "kubernetes"}, "precedentum_platform"),
    ("the lean option on Lightsail's containers with RDS", {"precedentum_platform": "lightsail"},
     "precedentum_platform"),
    ("a budget of zero", {"precedentum_budget_usd": 0}, "precedentum_budget_usd"),
    ("a region that is not one", {"precedentum_region": "moon-base-1"}, "precedentum_region"),
    ("a project name with a space", {"precedentum_project": "legal research"}, "precedentum_project"),
    ("CIDR that is not one", {"network_vpc_cidr": "ten-dot-zero"}, "network_vpc_cidr"),
    ("one subnet only", {"network_public_subnet_cidrs": ["10.0.0.0/24"]}, "network_public_subnet_cidrs"),
    ("one availability zone", {"network_availability_zones": ["us-east-1a"]}, "network_availability_zones"),
    ("subnet outside the VPC", {"network_public_subnet_cidrs": ["10.9.0.0/24", "10.0.1.0/24"]},
     "network_public_subnet_cidrs[0]"),
    ("port of the wrong type", {"network_app_ports": ["http"]}, "network_app_ports"),
    ("db port of the wrong type", {"network_db_port": "postgres"}, "network_db_port"),
    ("whole internet on the DB without opt-in", {"network_db_allowed_cidrs": ["0.0.0.0/0"]},
     "network_db_allowed_cidrs[0]"),
    ("opt-in that is not a boolean", {"network_db_allow_world": "perhaps"}, "network_db_allow_world"),
    ("name prefix with capitals", {"network_name_prefix": "Precedentum_Prod"}, "network_name_prefix"),
    ("tags that are not a dict", {"network_tags": "Project=precedentum"}, "network_tags"),
    ("a typo in a variable name", {"network_vpc_cdir": "10.0.0.0/16"}, "network_vpc_cdir"),
    # rds (phase 1.2)
    ("unknown instance class", {"rds_instance_class": "db.t9.enormous"}, "rds_instance_class"),
    ("storage below 20 GB", {"rds_allocated_storage": 10}, "rds_allocated_storage"),
    ("backup retention above 35 days", {"rds_backup_retention_days": 40}, "rds_backup_retention_days"),
    ("storage type AWS does not offer here", {"rds_storage_type": "io9"}, "rds_storage_type"),
    ("engine version that is not one", {"rds_engine_version": "latest"}, "rds_engine_version"),
    ("reserved master user", {"rds_master_username": "rdsadmin"}, "rds_master_username"),
    ("identifier with underscores", {"rds_instance_identifier": "my_db"}, "rds_instance_identifier"),
    ("secret recovery window AWS refuses", {"rds_secret_recovery_days": 3}, "rds_secret_recovery_days"),
    ("a typo in an rds variable", {"rds_instance_clas": "db.t4g.small"}, "rds_instance_clas"),
    # ecr (phase 1.3)
    ("lifecycle count of 0", {"ecr_keep_images": 0}, "ecr_keep_images"),
    ("unknown tag mutability", {"ecr_image_tag_mutability": "sometimes"}, "ecr_image_tag_mutability"),
    ("repository name with capitals", {"ecr_repositories": ["Backend"]}, "ecr_repositories"),
    # alb (phase 1.4)
    ("health-check path without a leading slash", {"alb_backend_health_check_path": "api/health/"},
     "alb_backend_health_check_path"),
    ("health-check timeout not below the interval", {"alb_health_check_timeout": 30}, "alb_health_check_timeout"),
    ("six path patterns in one rule", {"alb_backend_path_patterns": ["/a", "/b", "/c", "/d", "/e", "/f"]},
     "alb_backend_path_patterns"),
    ("threshold below AWS's minimum", {"alb_healthy_threshold": 1}, "alb_healthy_threshold"),
    ("a typo in an alb variable", {"alb_backend_health_path": "/x"}, "alb_backend_health_path"),
    # network's load balancer ingress, cache (phase 1.5)
    ("an unknown load balancer ingress", {"network_alb_ingress": "cloudflare"}, "network_alb_ingress"),
    ("a cache node type that is not one", {"cache_node_type": "t4g.micro"}, "cache_node_type"),
    ("a typo in a cache variable", {"cache_enabeld": True}, "cache_enabeld"),
    # cost (the guard at the start of every week)
    ("a plan over the budget", {"cost_budget_usd": 50}, "cost_budget_usd"),
    ("a budget below zero", {"cost_budget_usd": -5}, "cost_budget_usd"),
    ("a usage assumption below zero", {"cost_lcu": -1}, "cost_lcu"),
    ("a usage assumption that is not a number", {"cost_data_out_gb": "lots"}, "cost_data_out_gb"),
    ("a typo in a cost variable", {"cost_budgte_usd": 80}, "cost_budgte_usd"),
]

BAD_WEEK2_INPUTS = [
    ("a Fargate CPU/memory pair AWS does not allow", {"ecs_backend_cpu": 256, "ecs_backend_memory": 4096},
     "ecs_backend_memory"),
    ("an unknown layout", {"ecs_layout": "triple"}, "ecs_layout"),
    ("an unknown CPU architecture", {"ecs_cpu_architecture": "ARM"}, "ecs_cpu_architecture"),
    ("a secret in plain environment", {"ecs_backend_environment": {"STRIPE_API_KEY": "sk_live_x"}},
     "ecs_backend_environment"),
    ("a negative desired count", {"ecs_desired_count": -1}, "ecs_desired_count"),
    ("a log retention CloudWatch does not offer", {"ecs_log_retention_days": 10}, "ecs_log_retention_days"),
    ("a typo in an ecs variable", {"ecs_desired_cuont": 2}, "ecs_desired_cuont"),
    ("auto scaling to more than 10 tasks", {"ecs_autoscaling": True, "ecs_autoscaling_max_count": 50},
     "ecs_autoscaling_max_count"),
    ("an auto scaling CPU target above 90%", {"ecs_autoscaling": True, "ecs_autoscaling_cpu_target": 95},
     "ecs_autoscaling_cpu_target"),
    ("a scale-up over the budget", {"ecs_backend_cpu": 4096, "ecs_backend_memory": 8192}, "cost_budget_usd"),
    ("an operator address that is not a CIDR", {"rds_operator_cidr": "my laptop"}, "rds_operator_cidr"),
    ("a data source and a dump at once", {"rds_data_source": "dbname=x", "rds_data_source_dump": "/tmp/x.dump"},
     "rds_data_source_dump"),
]


@pytest.mark.parametrize(("case", "extra_vars", "variable"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_fails_before_any_aws_call(recording_emulator, case, extra_vars, variable):
    run = run_playbook(str(REPO / "playbooks/week1.yml"), recording_emulator.env(), extra_vars=extra_vars)
    assert run.rc != 0, f"{case}: accepted\n{run}"
    assert variable in run.flat, f"{case}: the message does not name {variable}\n{run}"
    assert recording_emulator.recorded_requests() == [], f"{case}: AWS was called before the input was refused"


@pytest.mark.parametrize(("case", "extra_vars", "variable"), BAD_WEEK2_INPUTS, ids=[c[0] for c in BAD_WEEK2_INPUTS])
def test_bad_week2_input_fails_before_any_aws_call(recording_emulator, case, extra_vars, variable):
    run = run_playbook(str(REPO / "playbooks/week2.yml"), recording_emulator.env(), extra_vars=extra_vars)
    assert run.rc != 0, f"{case}: accepted\n{run}"
    assert variable in run.flat, f"{case}: the message does not name {variable}\n{run}"
    assert recording_emulator.recorded_requests() == [], f"{case}: AWS was called before the input was refused"


def test_recorder_sees_a_good_run(recording_emulator):
    """Control for the test above: a valid check-mode run does reach the emulator (its first phase is enough)."""
    run = run_playbook(str(REPO / "playbooks/week1.yml"), recording_emulator.env(), "--check", "--tags", "phase_1_1")
    assert run.rc == 0, run
    assert len(recording_emulator.recorded_requests()) > 0


BAD_WEEK3_INPUTS = [
    ("an alert address that is not one", {"monitoring_alert_emails": ["team at example.com"]},
     "monitoring_alert_emails"),
    ("a CPU threshold above 100%", {"monitoring_ecs_cpu_percent": 120}, "monitoring_ecs_cpu_percent"),
    ("an alarm period CloudWatch refuses", {"monitoring_alarm_period": 90}, "monitoring_alarm_period"),
    ("billing alerts not rising", {"monitoring_budget_alerts_usd": [50, 10]}, "monitoring_budget_alerts_usd"),
    ("a typo in a monitoring variable", {"monitoring_alert_email": ["a@example.com"]}, "monitoring_alert_email"),
    ("a domain with a capital letter", {"alb_https_domain": "App.precedentum.example"}, "alb_https_domain"),
    ("a WAF rule group that is not AWS's", {"edge_waf_rule_groups": ["MyRules"]}, "edge_waf_rule_groups"),
    ("a rate limit below 10 requests", {"edge_waf_rate_limit": 5}, "edge_waf_rate_limit"),
    ("a tester without an e-mail", {"onboarding_testers": [{"name": "Avery Example"}]}, "onboarding_testers"),
    ("the same tester twice", {"onboarding_testers": [{"name": "A", "email": "a@precedentum.example"},
                                                      {"name": "B", "email": "a@precedentum.example"}]},
     "onboarding_testers"),
]

BAD_ULTRA_LEAN_INPUTS = [
    ("a Lightsail power that does not exist", {"lightsail_container_power": "huge"}, "lightsail_container_power"),
    ("a Lightsail scale of 0", {"lightsail_container_scale": 0}, "lightsail_container_scale"),
    ("a database engine Lightsail does not run", {"lightsail_database": "oracle"}, "lightsail_database"),
    ("a typo in a lightsail variable", {"lightsail_container_powr": "nano"}, "lightsail_container_powr"),
]


def test_bad_ultra_lean_inputs_fail_before_any_aws_call(recording_emulator):
    for case, extra_vars, variable in BAD_ULTRA_LEAN_INPUTS:
        run = run_playbook(str(REPO / "playbooks/week2.yml"), recording_emulator.env(),
                           inventory="inventories/ultra_lean", extra_vars=extra_vars)
        assert run.rc != 0, f"{case}: accepted\n{run}"
        assert variable in run.flat, f"{case}: the message does not name {variable}\n{run}"
    assert recording_emulator.recorded_requests() == [], "AWS was called before an input was refused"


def test_bad_week3_inputs_fail_before_any_aws_call(recording_emulator):
    for case, extra_vars, variable in BAD_WEEK3_INPUTS:
        run = run_playbook(str(REPO / "playbooks/week3.yml"), recording_emulator.env(), extra_vars=extra_vars)
        assert run.rc != 0, f"{case}: accepted\n{run}"
        assert variable in run.flat, f"{case}: the message does not name {variable}\n{run}"
    assert recording_emulator.recorded_requests() == [], "AWS was called before an input was refused"
