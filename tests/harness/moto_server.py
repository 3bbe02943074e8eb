"""moto_server with the few AWS behaviours it lacks and our roles meet (test equipment only).

Run as ``python -m tests.harness.moto_server -H 127.0.0.1 -p PORT``; ``emulator.py`` does (or, in
the test suite, forks it from ``python -m tests.harness.moto_server zygote SOCKET``: see ``zygote``).
Each patch makes moto answer as AWS does, so that the roles need no emulator-specific branch;
docs/testing.md lists them.

- ALB attributes: AWS returns idle_timeout.timeout_seconds (60), access logs off, HTTP/2 on
  and the other defaults in DescribeLoadBalancerAttributes; moto leaves some out, which breaks
  amazon.aws.elb_application_lb when it compares them.
- RDS gp3 storage: AWS reports the gp3 baseline (3000 IOPS, 125 MiB/s below 400 GiB) in
  DescribeDBInstances; moto leaves Iops and StorageThroughput out, which breaks
  amazon.aws.rds_instance's comparison on the second run.
- RDS Performance Insights: AWS reports PerformanceInsightsEnabled (and the retention) in
  DescribeDBInstances; moto ignores EnablePerformanceInsights at create and keeps it only under
  another name at modify, so amazon.aws.rds_instance would switch it on at every run.
- RDS automated backups: moto takes one the moment an instance is made, named rds:<id>-<minute>, so a second
  instance of that name within the minute (a restore run again) fails with DBSnapshotAlreadyExists, which AWS
  (whose first backup comes later) never answers to a restore; here the first snapshot stands.
- RDS StartDBInstance: moto makes the instance available at once (AWS: minutes of 'starting'); with
  PRECEDENTUM_EMULATOR_RDS_STUCK_START set it stays 'starting' for ever, so that the bounded waits' timeout
  is exercised.
- RDS DescribeDBEngineVersions: moto lacks it; this lists PostgreSQL versions AWS offers (a fixed list
  standing for AWS's, overridable by PRECEDENTUM_EMULATOR_POSTGRES_VERSIONS).
- ECS clusters: AWS returns capacityProviders and defaultCapacityProviderStrategy (empty lists)
  for every cluster, and an empty tag list; moto leaves them out, which breaks
  community.aws.ecs_cluster's second run and community.aws.ecs_tag.
- ECS UpdateService with a new task definition: AWS starts a new PRIMARY deployment of it; moto
  keeps the old deployment, so the service looks rolled back.
- ECS CreateService and UpdateService with a capacity provider strategy (Fargate Spot): AWS keeps the
  strategy and reports no launch type; moto ignores it at create (and reports launch type EC2) and
  keeps the launch type beside it at update.
- ECS rollouts: AWS takes minutes to roll a deployment out, registers its tasks with the service's
  target groups, and the circuit breaker fails and rolls back a deployment whose tasks do not start;
  moto completes every deployment at once with MOTO_ECS_SERVICE_RUNNING tasks. Here a deployment rolls
  out over PRECEDENTUM_EMULATOR_ROLLOUT_LOOKS DescribeServices, fails for an image holding
  PRECEDENTUM_EMULATOR_FAILING_IMAGE and never ends for one holding PRECEDENTUM_EMULATOR_STUCK_IMAGE.
- ECS Exec: AWS keeps a service's enableExecuteCommand from CreateService and its tasks start with it
  (the task's enableExecuteCommand, its containers' ExecuteCommandAgent); moto keeps it only from
  UpdateService and gives tasks neither. (No Session Manager here: a shell is not opened.)
- ECS's service-linked role: a cluster made (or given capacity providers) before AWSServiceRoleForECS
  exists fails on AWS with "Unable to assume the service linked role"; so it does here. moto names
  the role as AWS does (AWSServiceRoleForECS, not AWSServiceRoleForecs).
- ECR images: with PRECEDENTUM_EMULATOR_ECR_SEED_TAG set, a new repository holds an image under that tag
  at once (what phase 1.3's build and push gives it on AWS; no Docker engine runs here).
- ECS RunTask: on Fargate a container needs no memory of its own (the task's applies); moto
  answers HTTP 500 unless every container has one.
- ElastiCache DeleteReplicationGroup: AWS removes the group once deleted; moto keeps it "deleting"
  for ever. DeleteCacheSubnetGroup: moto lacks it (HTTP 500); this deletes a group no replication
  group uses, as AWS does (CacheSubnetGroupInUse otherwise).
- ACM DNS validation: a certificate is issued only once public DNS (tests/harness/fake_dns.py) delegates a
  zone of the account holding its validation record (moto issues after a few seconds, delegated or not).
- S3 bucket policies: moto evaluates only StringEquals conditions and ignores the rest, so a statement that
  denies requests with aws:SecureTransport "false" (the storage role's HTTPS-only policy) denied every
  object request. The emulator stands in for S3's HTTPS endpoint: such a statement applies to no request.
- Cost Explorer GetCostForecast: moto lacks it (HTTP 500, retried by every client). AWS answers an
  account with too little billing history - as every emulator account is - with
  DataUnavailableException; so does this.
- Cost Explorer ListCostAllocationTags and UpdateCostAllocationTagsStatus: moto lacks them; a key is listed
  once a resource of the region carries it (AWS: up to 24 hours later), refused in a member account
  (PRECEDENTUM_EMULATOR_MEMBER_ACCOUNT).
- Budgets UpdateBudget, DescribeSubscribersForNotification, CreateSubscriber, DeleteSubscriber:
  moto lacks them (HTTP 500); these do what AWS documents, on moto's own budgets.
- CloudWatch Logs FilterLogEvents with logStreamNamePrefix: moto ignores the prefix and returns every stream's
  events; here only the streams whose names start with it are read, as on AWS.

With PRECEDENTUM_LIGHTSAIL_PORT set, the process also serves the Lightsail emulator on that port
(tests/emulator/lightsail.py; Emulator sets AWS_ENDPOINT_URL_LIGHTSAIL to it). With
PRECEDENTUM_EMULATOR_DNS_PORT, it answers NS queries there as public DNS would (tests/harness/fake_dns.py;
Emulator sets PRECEDENTUM_DNS_RESOLVERS to it, so no query leaves the machine).

Two test hooks, not AWS behaviours: SES keeps the mail it "sends" only in memory, so each message
accepted is also written, one JSON line, to PRECEDENTUM_EMULATOR_OUTBOX (Emulator.sent_mail()).
And moto never runs a container, so every task "exits" 0. When
PRECEDENTUM_EMULATOR_FAILING_ARG is set, a task whose command override contains that argument
stops with exit code 1 and ECS's stop reason, as a failed migration would. Such a task stops at
once: moto's own default walks it RUNNING -> STOPPED one step per DescribeTasks, which with
phase 2.3's 6-second poll made every first week 2 about 40 s longer and tested nothing more.
"""

from __future__ import annotations

import json
import os
import sys

from moto.acm import models as acm_models
from moto.budgets import responses as budgets_responses
from moto.budgets.exceptions import NotFoundException as BudgetNotFound
from moto.ce import responses as ce_responses
from moto.core import responses as core_responses
from moto.core.exceptions import JsonRESTError
from moto.ecr import models as ecr_models
from moto.ecr import responses as ecr_responses
from moto.ecs import exceptions as ecs_exceptions
from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.elasticache import exceptions as elasticache_exceptions
from moto.elasticache import models as elasticache_models
from moto.elasticache import responses as elasticache_responses
from moto.elbv2 import models as elbv2_models
from moto.iam import models as iam_models
from moto.logs import responses as logs_responses
from moto.moto_api import state_manager
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from moto.s3 import models as s3_models
from moto.server import main
from moto.ses import models as ses_models

GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125

_original_init = rds_models.DBInstance.__init__


def _init_with_gp3_baseline(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.enable_performance_insights = bool(kwargs.get("enable_performance_insights"))
    self.performance_insights_retention_period = kwargs.get("performance_insights_retention_period")
    if self.storage_type == "gp3":
        if self.storage_throughput is None:
            self.storage_throughput = GP3_BASELINE_THROUGHPUT
        if self.iops is None:
            self.iops = GP3_BASELINE_IOPS


rds_models.DBInstance.__init__ = _init_with_gp3_baseline
# ModifyDBInstance sets enable_performance_insights; DescribeDBInstances reads this name.
rds_models.DBInstance.performance_insights_enabled = property(lambda self: bool(self.enable_performance_insights))

_original_auto_snapshot = rds_models.RDSBackend.create_auto_snapshot


def _auto_snapshot_once(self, db_instance_identifier, db_snapshot_identifier):
    if db_snapshot_identifier in self.database_snapshots:
        return self.database_snapshots[db_snapshot_identifier]
    return _original_auto_snapshot(self, db_instance_identifier, db_snapshot_identifier)


rds_models.RDSBackend.create_auto_snapshot = _auto_snapshot_once

_original_start_db_instance = rds_models.RDSBackend.start_db_instance


def _start_db_instance_maybe_stuck(self, db_instance_identifier):
    database = _original_start_db_instance(self, db_instance_identifier)
    if os.environ.get("PRECEDENTUM_EMULATOR_RDS_STUCK_START"):
        database.status = "starting"
    return database


rds_models.RDSBackend.start_db_instance = _start_db_instance_maybe_stuck

# RDS DescribeDBEngineVersions: moto lacks it (HTTP 500). AWS lists the versions it offers (and retires old
# minors, so a pinned minor can stop being offered); this answers for PostgreSQL from the list below, which
# stands for what AWS offers (PRECEDENTUM_EMULATOR_POSTGRES_VERSIONS, comma-separated, overrides it).
POSTGRES_VERSIONS = "16.8,16.9,17.4,17.5,17.6,17.7,18.1"


def _describe_db_engine_versions(self):
    engine = self.params.get("Engine") or "postgres"
    wanted = self.params.get("EngineVersion")
    offered = os.environ.get("PRECEDENTUM_EMULATOR_POSTGRES_VERSIONS", POSTGRES_VERSIONS).split(",")
    versions = [v for v in offered if engine == "postgres" and (not wanted or v == wanted or v.split(".")[0] == wanted)]
    if self.params.get("DefaultOnly") in (True, "true"):
        versions = [max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))] if versions else []
    return rds_responses.ActionResult({"DBEngineVersions": [
        {"Engine": engine, "EngineVersion": v, "DBParameterGroupFamily": f"postgres{v.split('.')[0]}",
         "Status": "available"} for v in versions]})


rds_responses.RDSResponse.describe_db_engine_versions = _describe_db_engine_versions

# Eventual consistency on deletion: AWS refuses, for a while, to delete what something just let go of - a
# certificate right after its listener (ResourceInUseException), a security group or subnet while network
# interfaces of the load balancer, tasks or database are still detaching (DependencyViolation), a cluster
# whose tasks are still stopping (ClusterContainsTasksException). moto deletes at once. With
# PRECEDENTUM_EMULATOR_REFUSE="Action:ErrorCode:N,..." the first N calls of each action are refused that way.
_REFUSED: dict[str, int] = {}
_REFUSAL_MESSAGES = {
    "DependencyViolation": "resource has a dependent object",
    "ResourceInUseException": "Certificate is in use.",
    "ClusterContainsTasksException": "The Cluster cannot be deleted while Tasks are active.",
}


def _refusal(action):
    for rule in filter(None, os.environ.get("PRECEDENTUM_EMULATOR_REFUSE", "").split(",")):
        name, code, count = rule.split(":")
        if name == action and _REFUSED.get(action, 0) < int(count):
            _REFUSED[action] = _REFUSED.get(action, 0) + 1
            return code
    return None


_original_call_action = core_responses.BaseResponse.call_action


def _call_action_refusing(self):
    action = self._get_action()
    code = _refusal(action)
    if code:
        message = f"{_REFUSAL_MESSAGES.get(code, 'refused')} (emulated: refusal {_REFUSED[action]} of {action})"

        def refuse():
            if type(self).__module__.startswith("moto.ec2."):
                from moto.ec2.exceptions import EC2ClientError

                raise EC2ClientError(code, message)
            raise JsonRESTError(code, message)
        setattr(self, core_responses.camelcase_to_underscores(action), refuse)
    return _original_call_action(self)


core_responses.BaseResponse.call_action = _call_action_refusing

# AWS's documented defaults for an application load balancer's attributes.
ALB_DEFAULT_ATTRIBUTES = {
    "access_logs.s3.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http2.enabled": "true",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "waf.fail_open.enabled": "false",
}
_original_lb_init = elbv2_models.FakeLoadBalancer.__init__


def _lb_init_with_defaults(self, *args, **kwargs):
    _original_lb_init(self, *args, **kwargs)
    if self.type == "application":
        for key, value in ALB_DEFAULT_ATTRIBUTES.items():
            if key in elbv2_models.FakeLoadBalancer.VALID_ATTRS:
                self.attrs.setdefault(key, value)


elbv2_models.FakeLoadBalancer.__init__ = _lb_init_with_defaults

_original_cluster_init = ecs_models.Cluster.__init__


def _cluster_init_with_lists(self, *args, **kwargs):
    _original_cluster_init(self, *args, **kwargs)
    if self.capacity_providers is None:
        self.capacity_providers = []
    if self.default_capacity_provider_strategy is None:
        self.default_capacity_provider_strategy = []
    if self.tags is None:
        self.tags = []


ecs_models.Cluster.__init__ = _cluster_init_with_lists

_original_requirements = ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements


def _requirements_with_task_memory(task_definition):
    containers = task_definition.container_definitions
    if all(c.get("memory") or c.get("memoryReservation") for c in containers):
        return _original_requirements(task_definition)
    share = int(task_definition.memory or 0) // max(len(containers), 1)
    patched = [c if c.get("memory") or c.get("memoryReservation") else {**c, "memory": share} for c in containers]
    original, task_definition.container_definitions = containers, patched
    try:
        return _original_requirements(task_definition)
    finally:
        task_definition.container_definitions = original


ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(
    _requirements_with_task_memory
)

_original_update_service = ecs_models.EC2ContainerServiceBackend.update_service


def _on_strategy(service, strategy):
    """A service placed by a capacity provider strategy has no launch type, in itself or its deployment."""
    service.capacity_provider_strategy = strategy
    service.launch_type = None
    for deployment in service.deployments[:1]:
        deployment.pop("launchType", None)
        deployment["capacityProviderStrategy"] = strategy


def _update_service_with_deployment(self, service_properties):
    task_definition_str = service_properties.get("task_definition")
    strategy = service_properties.get("capacity_provider_strategy")
    service = _original_update_service(self, service_properties)
    if strategy:
        _on_strategy(service, strategy)
    if task_definition_str and service.deployments:
        arn = self.describe_task_definition(task_definition_str).arn
        primary = service.deployments[0]
        if primary.get("taskDefinition") != arn and _containers_enabled():
            # Real containers: the old deployment stays (ACTIVE) until the new one has healthy tasks.
            now = ecs_models.utcnow()
            primary["status"] = "ACTIVE"
            service.deployments.insert(0, {
                **primary, "id": f"ecs-svc/{ecs_models.mock_random.randint(0, 32**12)}", "status": "PRIMARY",
                "taskDefinition": arn, "createdAt": now, "updatedAt": now, "runningCount": 0,
                "pendingCount": service.desired_count, "failedTasks": 0, "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": "ECS deployment in progress."})
        elif primary.get("taskDefinition") != arn:
            now = ecs_models.utcnow()
            primary.update(
                id=f"ecs-svc/{ecs_models.mock_random.randint(0, 32**12)}",
                taskDefinition=arn,
                createdAt=now,
                updatedAt=now,
            )
    return service


ecs_models.EC2ContainerServiceBackend.update_service = _update_service_with_deployment


def _containers_enabled() -> bool:
    from tests.harness import container_runner

    return container_runner.enabled()


_original_create_service = ecs_responses.EC2ContainerServiceResponse.create_service


def _create_service_with_strategy(self):
    strategy = self._get_param("capacityProviderStrategy")
    result = _original_create_service(self)
    cluster = self.ecs_backend._get_cluster(self._get_param("cluster", "default"))
    service = self.ecs_backend.services[f"{cluster.name}:{self._get_param('serviceName')}"]
    if strategy:
        _on_strategy(service, strategy)
    service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
    return result


ecs_responses.EC2ContainerServiceResponse.create_service = _create_service_with_strategy

# ECS rollouts. moto reports a service's deployment COMPLETED at once with MOTO_ECS_SERVICE_RUNNING tasks,
# whatever its desired count, and never fails one. Here a new deployment (create, new revision, forced) stays
# IN_PROGRESS for its first PRECEDENTUM_EMULATOR_ROLLOUT_LOOKS DescribeServices (0: complete at the first),
# then completes with every desired task running and as many healthy targets in each of its target groups,
# as ECS reports it. One whose images hold PRECEDENTUM_EMULATOR_STUCK_IMAGE never completes (a health check
# that never passes, before the circuit breaker gives up). One whose images hold PRECEDENTUM_EMULATOR_FAILING_IMAGE
# fails instead, as the circuit breaker makes it fail: FAILED, a stopped task whose reason is a
# CannotPullContainerError, and a rollback to the last completed revision (when there is one).
_ROLLOUTS: dict[str, dict] = {}


def _deployment_images(backend, arn):
    try:
        definition = backend.describe_task_definition(arn)
    except Exception:  # noqa: BLE001 - a deregistered revision has no images to match
        return ""
    return " ".join(str(c.get("image", "")) for c in definition.container_definitions)


def _service_event(service, message):
    service.events.insert(0, {"id": str(ecs_models.mock_random.uuid4()), "createdAt": ecs_models.utcnow(),
                              "message": f"(service {service.name}) {message}"})


def _stopped_service_task(backend, service, arn, reason):
    cluster = backend._get_cluster(service.cluster_name)
    definition = backend.describe_task_definition(arn)
    mode, definition.network_mode = definition.network_mode, "bridge"  # no network interface left behind
    try:
        task = ecs_models.Task(cluster, definition, None, None, backend, f"service:{service.name}",
                               launch_type="FARGATE", started_by=service.deployments[0]["id"])
    finally:
        definition.network_mode = mode
    task.desired_status = task.last_status = "STOPPED"
    task.stopped_reason = reason
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task


def _register_targets(service, count):
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[service._account_id][service.region_name]
    record = _ROLLOUTS[service.arn]
    for lb in service.load_balancers or []:
        arn = lb.get("targetGroupArn")
        group = elbv2.target_groups.get(arn)
        if group is None:
            continue
        old = record.setdefault("targets", {}).get(arn, [])
        if old:
            group.deregister(old)
        new = [{"Id": f"10.254.{record['index']}.{n + 1}", "Port": lb.get("containerPort", group.port)}
               for n in range(count)]
        group.register(new)
        record["targets"][arn] = new


def _rollout_step(backend, service):
    if service.status != "ACTIVE" or not service.deployments:
        return
    primary = service.deployments[0]
    primary["desiredCount"] = desired = service.desired_count
    record = _ROLLOUTS.get(service.arn)
    if record is None or record["id"] != primary["id"]:
        failing = os.environ.get("PRECEDENTUM_EMULATOR_FAILING_IMAGE", "")
        stuck = os.environ.get("PRECEDENTUM_EMULATOR_STUCK_IMAGE", "")
        images = _deployment_images(backend, primary.get("taskDefinition"))
        record = _ROLLOUTS[service.arn] = {
            "id": primary["id"], "looks": 0, "targets": (record or {}).get("targets", {}),
            "index": (record or {}).get("index", len(_ROLLOUTS) % 250),
            "good": (record or {}).get("good"),
            "fail": bool(failing) and failing in images, "stuck": bool(stuck) and stuck in images}
        del service.deployments[1:]  # what an earlier rollout left has drained
        _service_event(service, f"has started {desired} tasks: (deployment {primary['id']}).")
    record["looks"] += 1
    if record["stuck"] or record["looks"] <= int(os.environ.get("PRECEDENTUM_EMULATOR_ROLLOUT_LOOKS", "0") or 0):
        primary.update(rolloutState="IN_PROGRESS", runningCount=0, pendingCount=desired,
                       rolloutStateReason=f"ECS deployment {primary['id']} in progress.")
        return
    if record["fail"]:
        record["fail"] = False
        primary.update(rolloutState="FAILED", runningCount=0, pendingCount=0, failedTasks=desired or 1,
                       rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.")
        _stopped_service_task(backend, service, primary["taskDefinition"],
                              "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                              "failed to resolve ref " + _deployment_images(backend, primary["taskDefinition"])
                              + ": not found")
        _service_event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
        if record["good"]:
            primary["status"] = "ACTIVE"
            rollback = {**primary, "id": f"ecs-svc/{ecs_models.mock_random.randint(0, 32**12)}", "status": "PRIMARY",
                        "taskDefinition": record["good"], "failedTasks": 0, "createdAt": ecs_models.utcnow()}
            service.deployments.insert(0, rollback)
            service.task_definition = record["good"]
            _service_event(service, f"rolling back to deployment {rollback['id']}.")
            record["id"] = rollback["id"]
            _complete(service, rollback, record)
        return
    if primary.get("rolloutState") != "COMPLETED" or record.get("count") != desired:
        _complete(service, primary, record)  # a new desired count completes at once, as a scaling does


def _complete(service, deployment, record):
    desired = service.desired_count
    deployment.update(rolloutState="COMPLETED", runningCount=desired, pendingCount=0,
                      rolloutStateReason=f"ECS deployment {deployment['id']} completed.")
    service.running_count, service.pending_count = desired, 0
    record["good"], record["count"] = deployment["taskDefinition"], desired
    _register_targets(service, desired)
    _service_event(service, "has reached a steady state.")


_original_describe_services = ecs_models.EC2ContainerServiceBackend.describe_services


def _describe_services_rolling_out(self, cluster_str, service_names_or_arns):
    services, failures = _original_describe_services(self, cluster_str, service_names_or_arns)
    if container_runner.enabled():  # the services run containers: their own thread moves them along
        container_runner.ensure_thread()
        with container_runner.LOCK:
            for service in services:
                container_runner.step_service(self, service)
        return services, failures
    for service in services:
        _rollout_step(self, service)
    return services, failures


ecs_models.EC2ContainerServiceBackend.describe_services = _describe_services_rolling_out

# The ECS service-linked role. AWS names it AWSServiceRoleForECS (moto: AWSServiceRoleForecs), and a
# cluster made with capacity providers before the role exists fails with "Unable to assume the service
# linked role" (ECS makes the role itself, but not in time for the first cluster of an account); moto
# needs no role at all.
iam_models.SERVICE_NAME_CONVERSION.setdefault("ecs", "ECS")


def _ecs_service_linked_role_missing(response):
    iam = iam_models.iam_backends[response.current_account]["aws"]
    return not any(role.path == "/aws-service-role/ecs.amazonaws.com/" for role in iam.roles.values())


def _needs_service_linked_role(original):
    def handler(self):
        if self._get_param("capacityProviders") and _ecs_service_linked_role_missing(self):
            raise ecs_exceptions.InvalidParameterException(
                "Unable to assume the service linked role. Please verify that the ECS service linked role exists.")
        return original(self)
    return handler


ecs_responses.EC2ContainerServiceResponse.create_cluster = _needs_service_linked_role(
    ecs_responses.EC2ContainerServiceResponse.create_cluster)
ecs_responses.EC2ContainerServiceResponse.put_cluster_capacity_providers = _needs_service_linked_role(
    ecs_responses.EC2ContainerServiceResponse.put_cluster_capacity_providers)

# Images. moto never checks that a task's image exists; AWS tasks then loop on CannotPullContainerError.
# The roles now check ECR before phase 2.2, so an account needs images, and no Docker engine runs here to
# push them: a repository made while PRECEDENTUM_EMULATOR_ECR_SEED_TAG is set gets an image manifest under
# that tag at once, as phase 1.3 with precedentum_app_path (build and push) gives it on AWS. Unset (or
# empty), repositories start empty, as on a fresh account without a push.
_original_create_repository = ecr_models.ECRBackend.create_repository


def _create_repository_with_an_image(self, repository_name, *args, **kwargs):
    repository = _original_create_repository(self, repository_name, *args, **kwargs)
    tag = os.environ.get("PRECEDENTUM_EMULATOR_ECR_SEED_TAG", "")
    if tag:
        self.put_image(repository_name, json.dumps({
            "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                       "digest": "sha256:" + "b" * 64},
            "layers": []}), tag)
    return repository


ecr_models.ECRBackend.create_repository = _create_repository_with_an_image

_original_task_init = ecs_models.Task.__init__


def _task_init_with_failures(self, *args, **kwargs):
    _original_task_init(self, *args, **kwargs)
    group = getattr(self, "group", None) or ""
    if group.startswith("service:"):  # a service's task starts with the service's ECS Exec setting
        service = self._backend.services.get(f"{self.cluster_name}:{group.split(':', 1)[1]}")
        self.enable_execute_command = bool(getattr(service, "enable_execute_command", False))
        for container in self.containers:
            container.managed_agents = ([{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}]
                                        if self.enable_execute_command else [])
    commands = [o.get("command") or [] for o in (self.overrides or {}).get("containerOverrides", [])]
    failing_arg = os.environ.get("PRECEDENTUM_EMULATOR_FAILING_ARG", "")  # read per task: a zygote's fork sets it
    if failing_arg and any(failing_arg in command for command in commands):
        for container in self.containers:
            container.exitCode = 1
        self.stopped_reason = "Essential container in task exited"


ecs_models.Task.__init__ = _task_init_with_failures
state_manager.set_transition(model_name="ecs::task", transition={"progression": "immediate"})


# Cost allocation tags: moto lacks ListCostAllocationTags and UpdateCostAllocationTagsStatus (HTTP 500). AWS lists
# a user-defined tag key once it has been used on a resource (up to 24 hours later; here at once: the keys the
# Resource Groups Tagging API finds in the region), Inactive until activated. With
# PRECEDENTUM_EMULATOR_MEMBER_ACCOUNT set, the account is an organization's member: both calls are refused.
_TAG_STATUS: dict[str, str] = {}


def _member_account_refusal():
    if os.environ.get("PRECEDENTUM_EMULATOR_MEMBER_ACCOUNT"):
        raise JsonRESTError("AccessDeniedException", "Linked account doesn't have access to cost allocation tags.")


def _list_cost_allocation_tags(self):
    _member_account_refusal()
    from moto.resourcegroupstaggingapi.models import resourcegroupstaggingapi_backends

    tagging = resourcegroupstaggingapi_backends[self.current_account]["us-east-1"]
    used, token = set(), None
    while True:
        token, keys = tagging.get_tag_keys(pagination_token=token)
        used |= set(keys)
        if not token:
            break
    wanted = self._get_param("TagKeys") or sorted(used)
    return json.dumps({"CostAllocationTags": [
        {"TagKey": key, "Type": "UserDefined", "Status": _TAG_STATUS.get(key, "Inactive")}
        for key in wanted if key in used and not key.startswith("aws:")]})


def _update_cost_allocation_tags_status(self):
    _member_account_refusal()
    for item in self._get_param("CostAllocationTagsStatus") or []:
        _TAG_STATUS[item["TagKey"]] = item["Status"]
    return json.dumps({"Errors": []})


ce_responses.CostExplorerResponse.list_cost_allocation_tags = _list_cost_allocation_tags
ce_responses.CostExplorerResponse.update_cost_allocation_tags_status = _update_cost_allocation_tags_status


def _cost_forecast_unavailable(self):
    raise JsonRESTError("DataUnavailableException", "Insufficient amount of historical data to generate forecast.")


ce_responses.CostExplorerResponse.get_cost_forecast = _cost_forecast_unavailable


_filter_log_events = logs_responses.LogsResponse.filter_log_events


def _filter_log_events_by_prefix(self):
    prefix = self._get_param("logStreamNamePrefix")
    if not prefix or self._get_param("logStreamNames"):
        return _filter_log_events(self)
    group = self.logs_backend.groups.get(self._get_param("logGroupName"))
    names = sorted(name for name in (group.streams if group else {}) if name.startswith(prefix))
    if not names:
        return json.dumps({"events": [], "searchedLogStreams": []})
    original = self._get_param

    def get_param(key, default=None):
        return names if key == "logStreamNames" else original(key, default)

    self._get_param = get_param
    return _filter_log_events(self)


logs_responses.LogsResponse.filter_log_events = _filter_log_events_by_prefix


def _budget(self):
    budgets = self.backend.budgets[self._get_param("AccountId")]
    name = self._get_param("BudgetName") or (self._get_param("NewBudget") or {}).get("BudgetName")
    if name not in budgets:
        raise BudgetNotFound(f"Unable to find budget: {name}")
    return budgets[name]


def _notification(self):
    wanted = self._get_param("Notification")
    for notification in _budget(self).notifications:
        if notification.details == wanted:
            return notification
    raise BudgetNotFound("Unable to find notification")


def _update_budget(self):
    budget = _budget(self)
    budget.budget.update({k: v for k, v in self._get_param("NewBudget").items() if k != "BudgetName"})
    return "{}"


def _describe_subscribers(self):
    return json.dumps({"Subscribers": list(_notification(self).subscribers)})


def _create_subscriber(self):
    _notification(self).subscribers.append(self._get_param("Subscriber"))
    return "{}"


def _delete_subscriber(self):
    notification, gone = _notification(self), self._get_param("Subscriber")
    notification.subscribers = [s for s in notification.subscribers if s != gone]
    return "{}"


budgets_responses.BudgetsResponse.update_budget = _update_budget
budgets_responses.BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers
budgets_responses.BudgetsResponse.create_subscriber = _create_subscriber
budgets_responses.BudgetsResponse.delete_subscriber = _delete_subscriber

_original_delete_replication_group = elasticache_models.ElastiCacheBackend.delete_replication_group


def _delete_replication_group_and_forget(self, replication_group_id, retain_primary_cluster):
    group = _original_delete_replication_group(self, replication_group_id, retain_primary_cluster)
    self.replication_groups.pop(replication_group_id, None)
    return group


class _CacheSubnetGroupInUse(elasticache_exceptions.ElastiCacheException):
    code = "CacheSubnetGroupInUse"


def _delete_cache_subnet_group(self):
    name = self._get_param("CacheSubnetGroupName")
    backend = self.elasticache_backend
    if name not in backend.cache_subnet_groups:
        raise elasticache_exceptions.CacheSubnetGroupNotFound(name)
    users = [g for g in backend.replication_groups.values() if getattr(g, "cache_subnet_group_name", None) == name]
    if users:
        raise _CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use by a replication group.")
    del backend.cache_subnet_groups[name]
    return elasticache_responses.EmptyResult()


elasticache_models.ElastiCacheBackend.delete_replication_group = _delete_replication_group_and_forget
elasticache_responses.ElastiCacheResponse.delete_cache_subnet_group = _delete_cache_subnet_group

_original_send_email = ses_models.SESBackend.send_email


def _send_email_to_outbox(self, source, subject, body, destinations, *args, **kwargs):
    message = _original_send_email(self, source, subject, body, destinations, *args, **kwargs)
    outbox = os.environ.get("PRECEDENTUM_EMULATOR_OUTBOX")
    if outbox:
        with open(outbox, "a") as handle:
            handle.write(json.dumps({"source": source, "destinations": destinations, "subject": subject,
                                     "body": body}) + "\n")
    return message


ses_models.SESBackend.send_email = _send_email_to_outbox


# --- S3 -------------------------------------------------------------------------------------------------

def _plain_http_only(statement: dict) -> bool:
    secure = ((statement.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
    return statement.get("Effect") == "Deny" and str(secure).lower() == "false"


def _permission_over_https(self, action, resource):
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = json.loads(self.policy.decode())
    statements = policy.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements or []
    kept = [statement for statement in statements if not _plain_http_only(statement)]
    if not kept:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**policy, "Statement": kept})).is_action_permitted(action, resource)


s3_models.FakeBucket.get_permission = _permission_over_https

# ACM's DNS validation. moto issues every DNS-validated certificate after MOTO_ACM_VALIDATION_WAIT seconds,
# delegated or not; AWS issues it only once public DNS answers the validation record, which needs the domain
# delegated to the Route 53 zone holding it. With the public DNS of tests/harness/fake_dns.py on
# (PRECEDENTUM_EMULATOR_DNS_FILE), a certificate stays PENDING_VALIDATION until a zone of the account holding
# its validation record is delegated there (Emulator.delegate).


def _validation_answers(certificate) -> bool:
    path = os.environ.get("PRECEDENTUM_EMULATOR_DNS_FILE", "")
    if not path:
        return True
    from moto.route53.models import route53_backends

    try:
        with open(path, encoding="utf-8") as handle:
            public = {name.rstrip(".").lower(): answer for name, answer in json.load(handle).items()}
    except (OSError, ValueError):
        return False
    account = certificate.arn.split(":")[4]
    zones = list(route53_backends[account]["aws"].zones.values())
    domain = (certificate.common_name or "").lower()
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        served_by = set(public.get(name, {}).get("ns", []))
        for zone in zones:
            if zone.name.rstrip(".").lower() != name or zone.private_zone:
                continue
            delegated = served_by & set(zone.delegation_set.name_servers if zone.delegation_set else [])
            record = any(r.type == "CNAME" and r.name.rstrip(".").lower().endswith(domain)
                         and r.name.startswith("_") for r in zone.rrsets)
            if delegated and record:
                return True
    return False


_acm_check = acm_models.CertBundle.check


def _check_with_public_dns(self) -> None:
    if self.type == "AMAZON_ISSUED" and self.status == "PENDING_VALIDATION" and not _validation_answers(self):
        return
    _acm_check(self)


acm_models.CertBundle.check = _check_with_public_dns


# Real containers (tests/harness/container_runner.py), when PRECEDENTUM_EMULATOR_NETWORK is set: ECR's repositories
# live on the registry of PRECEDENTUM_EMULATOR_REGISTRY (their URI and the login's endpoint point there, and the
# images pushed there are what DescribeImages, ListImages and BatchGetImage report), RunTask and the services run
# containers, and DescribeTargetHealth reports the health checks the harness makes. Read per call: a zygote's
# fork sets these after the import.
from tests.harness import container_runner  # noqa: E402


def _registry() -> str:
    return os.environ.get("PRECEDENTUM_EMULATOR_REGISTRY", "") if container_runner.enabled() else ""


_original_repository_init = ecr_models.Repository.__init__


def _repository_on_the_registry(self, *args, **kwargs):
    _original_repository_init(self, *args, **kwargs)
    if _registry():
        self.uri = f"{_registry()}/{self.name}"


ecr_models.Repository.__init__ = _repository_on_the_registry


def _sync_from_registry(backend, repository_name) -> None:
    """What was pushed to the registry, as images of the repository (tags added or moved)."""
    registry = _registry()
    if not registry or not repository_name:
        return
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{registry}/v2/{repository_name}/tags/list", timeout=10) as answer:
            tags = json.load(answer).get("tags") or []
    except (OSError, ValueError):
        return
    repository = backend.repositories.get(repository_name)
    if repository is None:
        return
    for tag in tags:
        request = urllib.request.Request(f"http://{registry}/v2/{repository_name}/manifests/{tag}", headers={
            "Accept": "application/vnd.docker.distribution.manifest.v2+json, "
                      "application/vnd.oci.image.manifest.v1+json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            manifest, digest = answer.read().decode(), answer.headers.get("Docker-Content-Digest")
        held = [image for image in repository.images if tag in (image.image_tags or [])]
        if held and held[0].get_image_digest() == digest:
            continue
        backend.put_image(repository_name, manifest, tag, digest=digest)


def _syncing(original):
    def method(self, repository_name, *args, **kwargs):
        _sync_from_registry(self, repository_name)
        return original(self, repository_name, *args, **kwargs)
    return method


for _name in ("describe_images", "list_images", "batch_get_image"):
    setattr(ecr_models.ECRBackend, _name, _syncing(getattr(ecr_models.ECRBackend, _name)))

_original_authorization_token = ecr_responses.ECRResponse.get_authorization_token


def _authorization_token_for_the_registry(self):
    result = _original_authorization_token(self)
    if _registry():
        for item in result.result["authorizationData"]:
            item["proxyEndpoint"] = f"http://{_registry()}"
    return result


ecr_responses.ECRResponse.get_authorization_token = _authorization_token_for_the_registry

_original_run_task = ecs_models.EC2ContainerServiceBackend.run_task


def _run_task_in_containers(self, *args, **kwargs):
    tasks = _original_run_task(self, *args, **kwargs)
    if container_runner.enabled():
        with container_runner.LOCK:
            for task in tasks:
                container_runner.start_task(task, self.describe_task_definition(task.task_definition_arn))
    return tasks


def _then_in_containers(original, follow):
    """moto's backend method, then ``follow(result, *args)`` under the runner's lock when containers run."""

    def method(self, *args):
        result = original(self, *args)
        if container_runner.enabled():
            with container_runner.LOCK:
                follow(result, *args)
        return result
    return method


def _refresh_tasks(found, *_unused):
    for task in found:
        container_runner.refresh_task(task)


_describe_tasks_from_containers = _then_in_containers(
    ecs_models.EC2ContainerServiceBackend.describe_tasks, _refresh_tasks)
_stop_task_containers = _then_in_containers(
    ecs_models.EC2ContainerServiceBackend.stop_task,
    lambda task, _cluster, _task, reason: container_runner.stop_task(task, reason or "Task stopped by user"))
_delete_service_containers = _then_in_containers(
    ecs_models.EC2ContainerServiceBackend.delete_service,
    lambda service, *_unused: container_runner.stop_service(service))

ecs_models.EC2ContainerServiceBackend.run_task = _run_task_in_containers
ecs_models.EC2ContainerServiceBackend.describe_tasks = _describe_tasks_from_containers
ecs_models.EC2ContainerServiceBackend.stop_task = _stop_task_containers
ecs_models.EC2ContainerServiceBackend.delete_service = _delete_service_containers

_original_health_for = elbv2_models.FakeTargetGroup.health_for
_HEALTH_REASONS = {"initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
                   "unhealthy": ("Target.ResponseCodeMismatch", "Health checks failed")}


def _health_from_checks(self, target, ec2_backend):
    if container_runner.enabled() and target["Id"] in self.targets:
        state = container_runner.health_of(self.arn, target["Id"], self.targets[target["Id"]]["Port"])
        if state is not None and state["state"] != "healthy":
            code, text = _HEALTH_REASONS[state["state"]]
            return elbv2_models.FakeHealthStatus(target["Id"], self.targets[target["Id"]]["Port"],
                                                 self.health_check_port, state["state"], code,
                                                 state.get("reason") or text)
        if state is None:
            code, text = _HEALTH_REASONS["initial"]
            return elbv2_models.FakeHealthStatus(target["Id"], self.targets[target["Id"]]["Port"],
                                                 self.health_check_port, "initial", code, text)
    return _original_health_for(self, target, ec2_backend)


elbv2_models.FakeTargetGroup.health_for = _health_from_checks


def _serve(argv: list[str]) -> None:
    # The Lightsail emulator (tests/emulator/lightsail.py) runs in this process, on a port of its own:
    # moto has no Lightsail, and one process per emulated account starts faster than two.
    if os.environ.get("PRECEDENTUM_LIGHTSAIL_PORT"):
        from tests.emulator.lightsail import serve

        serve(int(os.environ["PRECEDENTUM_LIGHTSAIL_PORT"]))
    # Public DNS for phase 3.1's delegation check (tests/harness/fake_dns.py), on a UDP port of its own.
    if os.environ.get("PRECEDENTUM_EMULATOR_DNS_PORT"):
        from tests.harness.fake_dns import serve as serve_dns

        serve_dns(int(os.environ["PRECEDENTUM_EMULATOR_DNS_PORT"]), os.environ["PRECEDENTUM_EMULATOR_DNS_FILE"])
    main(argv)


# AWS's managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES), read from moto's JSON text once per process (the
# zygote: every fork has them) instead of at each account's IAM backend: about 0.4 CPU-seconds each time. What
# moto's AWSManagedPolicy.from_data reads of each, kept ready for its constructor.
_AWS_MANAGED_POLICIES: list[tuple] = []


def _aws_managed_policies() -> list[tuple]:
    if not _AWS_MANAGED_POLICIES:
        from datetime import datetime

        _AWS_MANAGED_POLICIES.extend(
            (name, data.get("DefaultVersionId"), data.get("Path"), json.dumps(data.get("Document")),
             datetime.fromisoformat(data["CreateDate"]), datetime.fromisoformat(data["UpdateDate"]))
            for name, data in json.loads(iam_models.aws_managed_policies_data).items())
    return _AWS_MANAGED_POLICIES


def _init_aws_policies_read_once(self):
    if not iam_models.load_iam_aws_managed_policies():
        return []
    return [iam_models.AWSManagedPolicy(name, account_id=self.account_id, region=self.region_name,
                                        default_version_id=version, path=path, document=document,
                                        create_date=created, update_date=updated)
            for name, version, path, document, created, updated in _aws_managed_policies()]


iam_models.IAMBackend._init_aws_policies = _init_aws_policies_read_once


def _warm_regions(services) -> None:
    """The botocore session moto lists each service's regions with (one per process), its endpoint data loaded:
    what each backend's first use in a fork would otherwise read and parse again."""
    from moto.core.base_backend import AccountSpecificBackend

    get_session = getattr(AccountSpecificBackend, "get_session", None)
    if get_session is None:  # a moto that lists regions otherwise: each fork reads them itself, as before
        return
    session = get_session()
    for partition in session.get_available_partitions():
        for service in services:
            session.get_available_regions(service, partition_name=partition)


# The services the roles call: the zygote imports their moto code once, so that its forks start warm.
PRELOADED_SERVICES = ("acm", "budgets", "ce", "cloudwatch", "ec2", "ecr", "ecs", "elbv2", "events", "iam", "logs",
                      "rds", "route53", "secretsmanager", "ses", "sns", "sts", "servicediscovery",
                      "applicationautoscaling", "pricing", "elasticache")


def zygote(path: str) -> None:
    """Serve emulators as forks of this process, which has moto and the patches above imported.

    A client (emulator.py's ``_Zygote``) connects to the Unix socket ``path`` and sends one JSON
    request: ``argv`` (moto_server's ``-H HOST -p PORT``), ``env`` (the server's whole environment)
    and ``log`` (a file for its output, or null). The fork takes that environment, re-reads what moto
    reads from it at import, and serves; the answer is the fork's pid. Starting an emulator this way
    costs about 0.2 CPU-seconds instead of 2.4 (importing moto and flask). The forks end on SIGTERM at
    once (nothing of an emulated account is kept), and with this process; this process ends with the
    one that started it.
    """
    import importlib
    import signal
    import socket

    parent = os.getppid()
    import moto.server  # noqa: F401 - the application and werkzeug
    from moto.backends import get_backend

    for service in PRELOADED_SERVICES:
        for part in ("models", "responses", "urls"):
            try:
                importlib.import_module(f"moto.{service}.{part}")
            except ImportError:
                pass
        try:
            get_backend(service)
        except (ImportError, KeyError, ValueError):
            pass
    _warm_regions(PRELOADED_SERVICES)
    _aws_managed_policies()
    import tests.emulator.lightsail  # noqa: F401

    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    server.settimeout(2)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the forks
    while os.getppid() == parent:
        try:
            conn, _unused = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(10)
        raw = b""
        try:
            while chunk := conn.recv(65536):
                raw += chunk
            request = json.loads(raw)
        except (OSError, ValueError):
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            server.close()
            conn.close()
            _zygote_child(request)
        try:
            conn.sendall(json.dumps({"pid": pid}).encode())
        except OSError:
            os.kill(pid, signal.SIGKILL)
        conn.close()
    server.close()
    if os.path.exists(path):
        os.unlink(path)
    os.rmdir(os.path.dirname(path)) if not os.listdir(os.path.dirname(path)) else None


def _zygote_child(request: dict) -> None:
    import ctypes
    import signal

    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        # End with the zygote (which ends with the test process that started it).
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        log = os.open(request.get("log") or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        # What moto read from the environment when the zygote imported it.
        import moto.server
        import moto.settings
        from moto.moto_api import recorder

        moto.settings.ACM_VALIDATION_WAIT = int(os.environ.get("MOTO_ACM_VALIDATION_WAIT", "60"))
        recorder.__init__()
        # SIGTERM ends an emulator at once: an emulated account keeps nothing worth a clean exit.
        moto.server.signal_handler = lambda *_unused: os._exit(0)
        _serve(list(request["argv"]))
    finally:
        os._exit(0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["zygote"] and len(sys.argv) == 3:
        zygote(sys.argv[2])
        sys.exit(0)
    _serve(sys.argv[1:])
    sys.exit(0)
