# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What exists of one deployment, found by name and tags: the one discovery every role reads (deployment_info).

``names`` spells the names the roles give their resources under the prefix; the few an inventory may override
are the module's options, and the secrets are found by their tag alone."""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call
from ansible_collections.precedentum.deploy.plugins.module_utils.cloudfront import find_distribution, summary_of
from ansible_collections.precedentum.deploy.plugins.module_utils.elasticache import describe_group, endpoint_url

PARTS = ("network", "ecr", "alb", "cache", "edge", "rds", "lightsail", "storage", "secrets")
# Read only when asked for by name (status.yml): what runs now, the alarms, this month's spend.
STATUS_PARTS = ("ecs", "alarms", "spend")
SERVICES = ("backend", "frontend")
# Every service of either layout (separate: backend, frontend; combined: app).
ECS_SERVICES = ("backend", "frontend", "app")
# The tag that marks a secret's purpose whatever its name: Secret=<prefix>/database (the database's credentials)
# or <prefix>/app (the app's own secret).
SECRET_TAG = "Secret"


def names(prefix):
    """The names of a deployment's resources under PREFIX (project-environment), as the roles make them."""
    return {
        "vpc": f"{prefix}-vpc",
        "public_subnets": f"{prefix}-public-*",
        "private_subnets": f"{prefix}-private-*",
        "security_groups": {"alb": f"{prefix}-alb", "app": f"{prefix}-app", "db": f"{prefix}-db"},
        "repositories": {s: f"{prefix}/{s}" for s in SERVICES},
        "load_balancer": f"{prefix}-alb",
        "target_groups": {s: f"{prefix}-{s}" for s in SERVICES},
        "cache": f"{prefix}-cache",
        "distribution": prefix,
        "db_instance": f"{prefix}-db",
        "lightsail_service": prefix,
        "lightsail_database": f"{prefix}-db",
        "cluster": prefix,
        "services": {s: f"{prefix}-{s}" for s in ECS_SERVICES},
        "alarms": f"{prefix}-",
        "budget": f"{prefix}-monthly",
    }


def _tags(pairs):
    return {t["Key"]: t["Value"] for t in pairs or []}


class Finder:
    """Reads one deployment through the module's clients; each part is a dict (see deployment_info's RETURN)."""

    def __init__(self, module):
        self.module, self.p = module, module.params
        self.names = names(self.p["name_prefix"])
        self._caller = None

    def call(self, service, operation, what, **kwargs):
        return aws_call(self.module, self.module.client(service), operation, what, **kwargs)

    def caller(self):
        if self._caller is None:
            self._caller = self.call("sts", "get_caller_identity", "read the account")
        return self._caller

    def network(self):
        found = {"vpc_id": "", "cidr_block": "", "public_subnet_ids": [], "private_subnet_ids": [],
                 "public_subnets": [], "private_subnets": [], "nat_gateway_ids": [], "security_group_ids": {}}
        vpcs = self.call("ec2", "describe_vpcs", "find the VPC",
                         Filters=[{"Name": "tag:Name", "Values": [self.names["vpc"]]}])["Vpcs"]
        if not vpcs:
            return found
        vpc = vpcs[0]
        found.update(vpc_id=vpc["VpcId"], cidr_block=vpc.get("CidrBlock", ""))
        in_vpc = {"Name": "vpc-id", "Values": [vpc["VpcId"]]}
        for kind in ("public", "private"):
            subnets = self.call("ec2", "describe_subnets", f"find the {kind} subnets", Filters=[
                in_vpc, {"Name": "tag:Name", "Values": [self.names[f"{kind}_subnets"]]}])["Subnets"]
            subnets = sorted(subnets, key=lambda s: s["AvailabilityZone"])
            found[f"{kind}_subnets"] = [{"id": s["SubnetId"], "availability_zone": s["AvailabilityZone"],
                                         "cidr_block": s["CidrBlock"]} for s in subnets]
            found[f"{kind}_subnet_ids"] = [s["SubnetId"] for s in subnets]
        nats = self.call("ec2", "describe_nat_gateways", "find the NAT gateways", Filters=[
            in_vpc, {"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]
        found["nat_gateway_ids"] = [n["NatGatewayId"] for n in nats]
        wanted = {name: key for key, name in self.names["security_groups"].items()}
        groups = self.call("ec2", "describe_security_groups", "find the security groups", Filters=[
            in_vpc, {"Name": "group-name", "Values": sorted(wanted)}])["SecurityGroups"]
        found["security_group_ids"] = {wanted[g["GroupName"]]: g["GroupId"] for g in groups if g["GroupName"] in wanted}
        return found

    def ecr(self):
        ecr, uris = self.module.client("ecr"), {}
        for service, name in self.names["repositories"].items():
            try:
                (repo,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
            except is_boto3_error_code("RepositoryNotFoundException"):
                continue
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
                self.module.fail_json_aws(e, msg=f"Could not find the repository {name}")
            uris[service] = repo["repositoryUri"]
        return {"repository_uris": uris}

    def alb(self):
        elb = self.module.client("elbv2")
        found = {"arn": "", "dns_name": "", "canonical_zone_id": "", "target_group_arns": {}}
        try:
            (lb,) = elb.describe_load_balancers(Names=[self.names["load_balancer"]])["LoadBalancers"]
            found.update(arn=lb["LoadBalancerArn"], dns_name=lb["DNSName"],
                         canonical_zone_id=lb.get("CanonicalHostedZoneId", ""))
        except is_boto3_error_code("LoadBalancerNotFound"):
            pass
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg="Could not find the load balancer")
        for service, name in self.names["target_groups"].items():
            try:
                (group,) = elb.describe_target_groups(Names=[name])["TargetGroups"]
            except is_boto3_error_code("TargetGroupNotFound"):
                continue
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
                self.module.fail_json_aws(e, msg=f"Could not find the target group {name}")
            found["target_group_arns"][service] = group["TargetGroupArn"]
        return found

    def cache(self):
        group = describe_group(self.module, self.module.client("elasticache"), self.names["cache"])
        exists = group is not None and group.get("Status") != "deleting"
        return {"url": endpoint_url(group) if exists else ""}

    def edge(self):
        distribution = summary_of(find_distribution(self.module, self.module.client("cloudfront"),
                                                    self.names["distribution"]))
        return {"distribution": distribution, "domain_name": distribution.get("domain_name", "")}

    def rds(self):
        identifier = self.p["rds_instance_identifier"] or self.names["db_instance"]
        found = {"identifier": identifier, "exists": False, "status": "", "publicly_accessible": False,
                 "endpoint": {}}
        try:
            (db,) = self.module.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        except is_boto3_error_code("DBInstanceNotFound"):
            return found
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not find the DB instance {identifier}")
        endpoint = db.get("Endpoint") or {}
        found.update(exists=True, status=db.get("DBInstanceStatus", ""),
                     publicly_accessible=bool(db.get("PubliclyAccessible")),
                     instance_class=db.get("DBInstanceClass", ""), allocated_storage=db.get("AllocatedStorage", 0),
                     endpoint={"address": endpoint["Address"], "port": endpoint.get("Port", 5432)} if endpoint else {})
        return found

    def lightsail(self):
        client = self.module.client("lightsail")
        service_name = self.p["lightsail_service_name"] or self.names["lightsail_service"]
        db_name = self.p["lightsail_database_name"] or self.names["lightsail_database"]
        found = {"service": {"name": service_name, "exists": False, "url": "", "state": "", "deployments": []},
                 "database": {"name": db_name, "exists": False, "endpoint": {"host": "", "port": 5432}}}
        try:
            (service,) = client.get_container_services(serviceName=service_name)["containerServices"]
            found["service"].update(exists=True, url=service.get("url", ""), state=service.get("state", ""),
                                    deployments=self._lightsail_deployments(service_name))
        except is_boto3_error_code("NotFoundException"):
            pass
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not find the Lightsail container service {service_name}")
        try:
            database = client.get_relational_database(relationalDatabaseName=db_name)["relationalDatabase"]
            endpoint = database.get("masterEndpoint") or {}
            found["database"].update(exists=True, endpoint={
                "host": endpoint.get("address", ""), "port": endpoint.get("port") or 5432})
        except is_boto3_error_code("NotFoundException"):
            pass
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not find the Lightsail database {db_name}")
        return found

    def _lightsail_deployments(self, service_name):
        """The deployments Lightsail keeps of the service, newest first: version, state, when, image tags."""
        held = self.call("lightsail", "get_container_service_deployments", f"read the deployments of {service_name}",
                         serviceName=service_name).get("deployments") or []
        deployments = []
        for deployment in held:
            created = deployment.get("createdAt")
            deployments.append({
                "version": deployment.get("version", 0), "state": deployment.get("state", ""),
                "created_at": created.isoformat() if hasattr(created, "isoformat") else str(created or ""),
                "image_tags": {name: (c.get("image") or "").rsplit(":", 1)[-1] if ":" in (c.get("image") or "") else ""
                               for name, c in (deployment.get("containers") or {}).items()}})
        return sorted(deployments, key=lambda d: d["version"], reverse=True)

    def storage(self):
        region = self.module.region
        name = self.p["storage_bucket_name"] or f"{self.p['name_prefix']}-files-{self.caller()['Account']}-{region}"
        try:
            self.module.client("s3").head_bucket(Bucket=name)
        except is_boto3_error_code(["404", "NoSuchBucket", "NotFound"]):
            return {"bucket": "", "name": name, "region": region}
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the bucket {name}")
        return {"bucket": name, "name": name, "region": region}

    def secrets(self):
        """The database's and the app's secret, by their tags Secret=<prefix>/database and <prefix>/app (the roles
        that write them tag them), whatever their names; {name: "", arn: ""} for one not made yet."""
        client, prefix, found = self.module.client("secretsmanager"), self.p["name_prefix"], {}
        for purpose in ("database", "app"):
            tag = f"{prefix}/{purpose}"
            try:
                candidates = [s for page in client.get_paginator("list_secrets").paginate(Filters=[
                    {"Key": "tag-key", "Values": [SECRET_TAG]}, {"Key": "tag-value", "Values": [tag]}])
                    for s in page.get("SecretList", [])
                    if not s.get("DeletedDate") and _tags(s.get("Tags")).get(SECRET_TAG) == tag]
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                self.module.fail_json_aws(e, msg="Could not list the secrets")
            if len(candidates) > 1:
                self.module.fail_json(msg=f"{len(candidates)} secrets are tagged {SECRET_TAG}={tag} "
                                          f"({', '.join(sorted(s['Name'] for s in candidates))}): keep one")
            found[purpose] = ({"name": candidates[0]["Name"], "arn": candidates[0]["ARN"]} if candidates
                              else {"name": "", "arn": ""})
        return found

    def ecs(self):
        """The services of either layout: counts, rollout, the image tag of each container, when the running
        deployment began, and each target group's healthy/all targets."""
        ecs = self.module.client("ecs")
        wanted = {name: key for key, name in self.names["services"].items()}
        found = {"cluster": self.names["cluster"], "exists": False, "services": {}}
        try:
            described = ecs.describe_services(cluster=self.names["cluster"], services=sorted(wanted))
        except is_boto3_error_code("ClusterNotFoundException"):
            return found
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the services of cluster {self.names['cluster']}")
        found["exists"] = True
        for service in described.get("services") or []:
            if service.get("status") != "ACTIVE" or service["serviceName"] not in wanted:
                continue
            primary = next((d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), {})
            definition = self.call("ecs", "describe_task_definition", f"read the task definition of "
                                   f"{service['serviceName']}", taskDefinition=service["taskDefinition"])
            images = {c["name"]: c.get("image", "").rsplit(":", 1)[-1]
                      for c in definition["taskDefinition"].get("containerDefinitions") or []}
            targets = {}
            for balancer in service.get("loadBalancers") or []:
                arn = balancer.get("targetGroupArn", "")
                health = self.call("elbv2", "describe_target_health", f"read the targets of {arn}",
                                   TargetGroupArn=arn).get("TargetHealthDescriptions") or []
                targets[arn.split("/")[-2] if arn.count("/") >= 2 else arn] = {
                    "healthy": sum(1 for t in health if (t.get("TargetHealth") or {}).get("State") == "healthy"),
                    "total": len(health)}
            created = primary.get("createdAt")
            tasks = self._service_tasks(ecs, service["serviceName"])
            found["services"][wanted[service["serviceName"]]] = {
                "name": service["serviceName"], "desired": service.get("desiredCount", 0),
                "running": service.get("runningCount", 0), "pending": service.get("pendingCount", 0),
                "rollout_state": primary.get("rolloutState", ""), "deployments": len(service.get("deployments") or []),
                "task_definition": service["taskDefinition"].split("/")[-1], "image_tags": images,
                "deployed_at": created.isoformat() if hasattr(created, "isoformat") else str(created or ""),
                "targets": targets, "exec": bool(service.get("enableExecuteCommand")), "tasks": tasks}
        return found

    def _service_tasks(self, ecs, name):
        """The service's running tasks: ID, status, whether it started with ECS Exec and its agent's status."""
        arns = self.call("ecs", "list_tasks", f"list the tasks of {name}", cluster=self.names["cluster"],
                         serviceName=name, desiredStatus="RUNNING").get("taskArns") or []
        if not arns:
            return []
        described = self.call("ecs", "describe_tasks", f"read the tasks of {name}", cluster=self.names["cluster"],
                              tasks=arns[:100]).get("tasks") or []
        tasks = []
        for task in described:
            if task.get("group") not in (None, f"service:{name}"):
                continue
            agents = [a.get("lastStatus", "") for c in task.get("containers") or []
                      for a in c.get("managedAgents") or [] if a.get("name") == "ExecuteCommandAgent"]
            started = task.get("startedAt") or task.get("createdAt")
            tasks.append({"id": task["taskArn"].rsplit("/", 1)[-1], "status": task.get("lastStatus", ""),
                          "exec": bool(task.get("enableExecuteCommand")), "exec_agent": agents[0] if agents else "",
                          "started_at": started.isoformat() if hasattr(started, "isoformat") else str(started or "")})
        return sorted(tasks, key=lambda t: t["started_at"])

    def alarms(self):
        """The deployment's metric alarms (named <prefix>-*): how many, their names, which are in ALARM, which notify
        nobody."""
        found = {"count": 0, "names": [], "in_alarm": [], "silenced": []}
        try:
            for page in self.module.client("cloudwatch").get_paginator("describe_alarms").paginate(
                    AlarmNamePrefix=self.names["alarms"], AlarmTypes=["MetricAlarm"]):
                for alarm in page.get("MetricAlarms") or []:
                    found["count"] += 1
                    found["names"].append(alarm["AlarmName"])
                    if alarm.get("StateValue") == "ALARM":
                        found["in_alarm"].append(alarm["AlarmName"])
                    if not alarm.get("ActionsEnabled", True):
                        found["silenced"].append(alarm["AlarmName"])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.module.fail_json_aws(e, msg="Could not read the alarms")
        return found

    def spend(self):
        """This month's spend and forecast as the monitoring role's AWS budget computes them (free to read); exists
        false without that budget."""
        found = {"budget": self.names["budget"], "exists": False, "limit": None, "actual": None, "forecast": None}
        try:
            budget = self.module.client("budgets").describe_budget(
                AccountId=self.caller()["Account"], BudgetName=self.names["budget"])["Budget"]
        except is_boto3_error_code("NotFoundException"):
            return found
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the budget {self.names['budget']}")
        spend = budget.get("CalculatedSpend") or {}

        def amount(value):
            return round(float(value["Amount"]), 2) if value and value.get("Amount") not in (None, "") else None

        found.update(exists=True, limit=amount(budget.get("BudgetLimit")), actual=amount(spend.get("ActualSpend")),
                     forecast=amount(spend.get("ForecastedSpend")))
        return found

    def read(self):
        caller = self.caller()
        result = {"name_prefix": self.p["name_prefix"], "region": self.module.region, "account": caller["Account"],
                  "partition": caller["Arn"].split(":")[1]}
        for part in self.p["parts"]:
            result[part] = getattr(self, part)()
        return result
