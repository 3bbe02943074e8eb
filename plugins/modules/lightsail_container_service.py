#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lightsail_container_service
short_description: Create, update, deploy to and delete an Amazon Lightsail container service
version_added: 1.0.0
description:
  - Makes sure the Lightsail container service O(name) exists with O(power) and O(scale), its
    ECR image puller role (O(private_registry_access)), its tags and custom domains, and that its
    current deployment runs exactly O(containers) behind O(public_endpoint).
  - A deployment is made only when the containers or the endpoint differ from the current (or the
    pending) deployment's; an unchanged deployment is never re-deployed.
  - With O(wait), waits at most O(wait_timeout) seconds for the service to settle and the new
    deployment to be ACTIVE; a deployment that fails (Lightsail then keeps the previous one) fails the task.
  - O(state=absent) deletes the service (its deployments go with it).
options:
  name:
    description: The service's name (lower case letters, digits and hyphens, 1 to 63; unique in the region).
    type: str
    required: true
  state:
    description: C(present) or C(absent).
    type: str
    choices: [present, absent]
    default: present
  power:
    description: The size of each node.
    type: str
    choices: [nano, micro, small, medium, large, xlarge]
    default: micro
  scale:
    description: Number of nodes, 1 to 20 (each runs every container; the price is power x scale).
    type: int
    default: 1
  private_registry_access:
    description: Turn on the service's ECR image puller role, so it can pull private ECR images (the
      repositories must also allow that role - its ARN is returned).
    type: bool
    default: true
  public_domain_names:
    description: "Custom domains, by the name of a validated Lightsail certificate (C({cert-name: [app.example.com]}))."
    type: dict
    default: {}
  containers:
    description:
      - The deployment's containers, by name. Each takes C(image), and optionally C(command) (list),
        C(environment) (dict of strings) and C(ports) (dict of port to C(HTTP), C(HTTPS), C(TCP) or C(UDP)).
      - Omitted, the deployment is left as it is (a new service then has none).
    type: dict
  secret_environment:
    description:
      - More environment by container name (for example C(backend) with C(DATABASE_PASSWORD)), merged into
        O(containers) for the deployment. Its values are hidden from the task's output and logs
        (Ansible's no_log); they are still stored in the deployment as plain text (see the notes).
      - Each name must be one of O(containers) and may not repeat a name of its C(environment).
    type: dict
    default: {}
  public_endpoint:
    description:
      - The container and port the service's public HTTPS endpoint sends to (C(container_name),
        C(container_port)), and optionally C(health_check) (C(path), C(success_codes),
        C(interval_seconds), C(timeout_seconds), C(healthy_threshold), C(unhealthy_threshold)).
    type: dict
  tags:
    description: Tags, set when the service is created (Lightsail tags are not changed afterwards here).
    type: dict
    default: {}
  wait:
    description: Wait for the service to settle and the deployment to be ACTIVE.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most, 1 to 3600.
    type: int
    default: 900
attributes:
  check_mode:
    support: full
    details: Reports whether the service would be created, updated, deployed to or deleted; changes nothing.
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(lightsail:GetContainerServices), C(CreateContainerService), C(UpdateContainerService),
    C(CreateContainerServiceDeployment), C(GetContainerServiceDeployments), C(DeleteContainerService),
    C(TagResource)."
  - Lightsail has no secret injection, so every value of C(environment) is stored in the deployment as
    plain text and visible to anyone who can read the service.
"""

EXAMPLES = r"""
- name: The app on Lightsail
  precedentum.deploy.lightsail_container_service:
    name: precedentum-testing
    power: micro
    scale: 1
    containers:
      backend:
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/precedentum-testing/backend:latest
        ports: {"8000": HTTP}
      frontend:
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/precedentum-testing/frontend:latest
        ports: {"80": HTTP}
    public_endpoint:
      container_name: frontend
      container_port: 80
      health_check: {path: /}
  register: service
"""

RETURN = r"""
url:
  description: The service's public HTTPS address (empty in check mode before it exists).
  returned: always
  type: str
  sample: https://precedentum-lite.abc123.us-east-1.cs.amazonlightsail.com/
state:
  description: Lightsail's state of the service (READY, RUNNING, DEPLOYING...).
  returned: always
  type: str
  sample: RUNNING
deployment_version:
  description: The version of the current deployment (0 when none).
  returned: always
  type: int
  sample: 3
deployed:
  description: Whether this run made a new deployment.
  returned: always
  type: bool
  sample: false
image_puller_arn:
  description: The ECR image puller role's principal ARN (allow it in the repositories' policies).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/amazon/lightsail/us-east-1/containers/precedentum-lite/abc123
container_service:
  description:
    - The service as Lightsail returns it (snake_case), except that the values of the containers'
      environment are left out (only the names are kept, each with the value V(hidden)), as they may hold secrets.
  returned: when it exists
  type: dict
  contains:
    container_service_name:
      description: The service's name.
      type: str
      returned: when it exists
      sample: precedentum-lite
    power:
      description: The node size.
      type: str
      returned: when it exists
      sample: micro
    scale:
      description: The number of nodes.
      type: int
      returned: when it exists
      sample: 1
    state:
      description: Its state.
      type: str
      returned: when it exists
      sample: RUNNING
    url:
      description: Its public address.
      type: str
      returned: when it exists
"""

import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
PROTOCOLS = {"HTTP", "HTTPS", "TCP", "UDP"}
HEALTH_KEYS = {"path": "path", "success_codes": "successCodes", "interval_seconds": "intervalSeconds",
               "timeout_seconds": "timeoutSeconds", "healthy_threshold": "healthyThreshold",
               "unhealthy_threshold": "unhealthyThreshold"}
SETTLED = {"READY", "RUNNING", "DISABLED"}
POLL = 5


def problems_of(p):
    """Input errors, each naming the option at fault."""
    problems = []
    if not NAME_RE.match(p["name"] or ""):
        problems.append(f"name: {p['name']!r} must be 1 to 63 lower-case letters, digits and hyphens")
    if not 1 <= p["scale"] <= 20:
        problems.append("scale: from 1 to 20")
    if not 1 <= p["wait_timeout"] <= 3600:
        problems.append("wait_timeout: from 1 to 3600 seconds")
    containers = p["containers"] or {}
    for name, c in containers.items():
        where = f"containers.{name}"
        if not NAME_RE.match(name):
            problems.append(f"{where}: a container name is lower-case letters, digits and hyphens")
        if not isinstance(c, dict) or not c.get("image"):
            problems.append(f"{where}.image: required")
            continue
        unknown = sorted(set(c) - {"image", "command", "environment", "ports"})
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)} (image, command, environment, ports)")
        if not isinstance(c.get("command", []), list):
            problems.append(f"{where}.command: a list of strings")
        if not isinstance(c.get("environment", {}), dict):
            problems.append(f"{where}.environment: a mapping of names to strings")
        for port, protocol in (c.get("ports") or {}).items():
            if not str(port).isdigit() or not 1 <= int(port) <= 65535 or str(protocol).upper() not in PROTOCOLS:
                problems.append(f"{where}.ports: {port}: {protocol} must be a port (1-65535) and one of "
                                f"{', '.join(sorted(PROTOCOLS))}")
    for name, extra in (p["secret_environment"] or {}).items():
        where = f"secret_environment.{name}"
        if name not in containers:
            problems.append(f"{where}: not one of containers")
        elif not isinstance(extra, dict):
            problems.append(f"{where}: a mapping of names to strings")
        else:
            repeated = sorted(set(extra) & set((containers[name] or {}).get("environment") or {}))
            if repeated:
                problems.append(f"{where}: {', '.join(repeated)} also in containers.{name}.environment")
    endpoint = p["public_endpoint"]
    if endpoint:
        if endpoint.get("container_name") not in containers:
            problems.append("public_endpoint.container_name: must name one of containers")
        else:
            ports = (containers[endpoint["container_name"]] or {}).get("ports") or {}
            if str(endpoint.get("container_port")) not in {str(k) for k in ports}:
                problems.append("public_endpoint.container_port: must be one of that container's ports")
        unknown = sorted(set(endpoint.get("health_check") or {}) - set(HEALTH_KEYS))
        if unknown:
            problems.append(f"public_endpoint.health_check: unknown key(s) {', '.join(unknown)}")
    return problems


def desired_deployment(p):
    """The deployment as the API takes it (and returns it), from the module's options."""
    containers = {}
    for name, c in (p["containers"] or {}).items():
        container = {"image": c["image"]}
        if c.get("command"):
            container["command"] = [str(x) for x in c["command"]]
        environment = {**(c.get("environment") or {}), **((p["secret_environment"] or {}).get(name) or {})}
        if environment:
            container["environment"] = {str(k): str(v) for k, v in environment.items()}
        if c.get("ports"):
            container["ports"] = {str(k): str(v).upper() for k, v in c["ports"].items()}
        containers[name] = container
    deployment = {"containers": containers}
    endpoint = p["public_endpoint"]
    if endpoint:
        deployment["publicEndpoint"] = {"containerName": endpoint["container_name"],
                                        "containerPort": int(endpoint["container_port"])}
        health = {HEALTH_KEYS[k]: v for k, v in (endpoint.get("health_check") or {}).items()}
        if health:
            deployment["publicEndpoint"]["healthCheck"] = health
    return deployment


def same_deployment(current, wanted):
    """True when a deployment Lightsail holds runs what is wanted (defaults it filled in are ignored)."""
    if not current:
        return False
    have = {name: {k: v for k, v in c.items() if v not in ({}, [], None, "")}
            for name, c in (current.get("containers") or {}).items()}
    if have != wanted["containers"]:
        return False
    held, want = current.get("publicEndpoint") or {}, wanted.get("publicEndpoint") or {}
    if not want:
        return not held.get("containerName")
    if (held.get("containerName"), held.get("containerPort")) != (want["containerName"], want["containerPort"]):
        return False
    held_health = held.get("healthCheck") or {}
    return all(held_health.get(k) == v for k, v in (want.get("healthCheck") or {}).items())


class Services:
    def __init__(self, module):
        self.module = module
        self.client = module.client("lightsail")

    def fail(self, e, what):
        name = self.module.params["name"]
        self.module.fail_json_aws(e, msg=f"Could not {what} the Lightsail container service {name}")

    def get(self):
        try:
            found = self.client.get_container_services(serviceName=self.module.params["name"])["containerServices"]
        except self.client.exceptions.NotFoundException:
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "read")
        return found[0] if found else None

    def deployments(self):
        try:
            return self.client.get_container_service_deployments(serviceName=self.module.params["name"])["deployments"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "read the deployments of")

    def wait(self, deadline, version=None):
        """Until the service settles and (with version) that deployment is ACTIVE; fails on FAILED or time."""
        delay = 1
        while True:
            service = self.get()
            state = service["state"] if service else "GONE"
            deployment = None
            if version is not None:
                deployment = next((d for d in self.deployments() if d["version"] == version), None)
                if deployment and deployment["state"] == "FAILED":
                    self.module.fail_json(
                        msg=f"Deployment {version} of {self.module.params['name']} FAILED (a container did not start "
                            "or did not pass the health check); Lightsail keeps the previous deployment. See the "
                            "container logs in the Lightsail console (or get_container_log).",
                        container_service=camel_dict_to_snake_dict(without_environment_values(service or {})))
            if state in SETTLED and (version is None or (deployment and deployment["state"] == "ACTIVE")):
                return service
            if time.monotonic() >= deadline:
                self.module.fail_json(
                    msg=f"{self.module.params['name']} is still {state}"
                        + (f", deployment {version} {deployment['state'] if deployment else 'unknown'}"
                           if version is not None else "")
                        + f" after {self.module.params['wait_timeout']} s (wait_timeout)")
            time.sleep(delay)
            delay = min(delay * 2, POLL)


def without_environment_values(service):
    """The service with every container's environment reduced to its names (values may be secrets)."""
    service = dict(service)
    for key in ("currentDeployment", "nextDeployment"):
        if service.get(key):
            deployment = dict(service[key])
            deployment["containers"] = {
                name: {**c, "environment": {k: "hidden" for k in c.get("environment") or {}}}
                if c.get("environment") else c for name, c in (deployment.get("containers") or {}).items()}
            service[key] = deployment
    return service


def result_of(service, deployed, changed):
    service = without_environment_values(service or {})
    registry = (service.get("privateRegistryAccess") or {}).get("ecrImagePullerRole") or {}
    return dict(changed=changed, deployed=deployed, url=service.get("url", ""), state=service.get("state", ""),
                deployment_version=(service.get("currentDeployment") or {}).get("version", 0),
                image_puller_arn=registry.get("principalArn", ""),
                container_service=camel_dict_to_snake_dict(service, ignore_list=["tags"]) if service else {})


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            power=dict(type="str", choices=["nano", "micro", "small", "medium", "large", "xlarge"], default="micro"),
            scale=dict(type="int", default=1),
            private_registry_access=dict(type="bool", default=True),
            public_domain_names=dict(type="dict", default={}),
            containers=dict(type="dict"),
            secret_environment=dict(type="dict", default={}, no_log=True),
            public_endpoint=dict(type="dict"),
            tags=dict(type="dict", default={}),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=900),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = problems_of(p)
    if problems:
        module.fail_json(msg="; ".join(problems))
    services = Services(module)
    deadline = time.monotonic() + p["wait_timeout"]
    service = services.get()

    if p["state"] == "absent":
        if service is None:
            module.exit_json(**result_of(None, False, False))
        if not module.check_mode:
            try:
                services.client.delete_container_service(serviceName=p["name"])
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                services.fail(e, "delete")
        module.exit_json(**result_of(None, False, True))

    wanted = desired_deployment(p) if p["containers"] is not None else None
    registry = {"ecrImagePullerRole": {"isActive": p["private_registry_access"]}}
    if service is None:
        if module.check_mode:
            module.exit_json(**result_of(None, wanted is not None, True))
        request = dict(serviceName=p["name"], power=p["power"], scale=p["scale"], privateRegistryAccess=registry,
                       tags=[{"key": k, "value": str(v)} for k, v in p["tags"].items()])
        if p["public_domain_names"]:
            request["publicDomainNames"] = p["public_domain_names"]
        if wanted:
            request["deployment"] = wanted
        try:
            service = services.client.create_container_service(**request)["containerService"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            services.fail(e, "create")
        if p["wait"]:
            service = services.wait(deadline, 1 if wanted else None)
        module.exit_json(**result_of(service, wanted is not None, True))

    changed = deployed = False
    updates = {}
    if service["power"] != p["power"]:
        updates["power"] = p["power"]
    if service["scale"] != p["scale"]:
        updates["scale"] = p["scale"]
    if ((service.get("privateRegistryAccess") or {}).get("ecrImagePullerRole") or {}).get(
            "isActive", False) != p["private_registry_access"]:
        updates["privateRegistryAccess"] = registry
    if (service.get("publicDomainNames") or {}) != p["public_domain_names"]:
        updates["publicDomainNames"] = p["public_domain_names"]
    if service.get("isDisabled"):
        updates["isDisabled"] = False
    if updates:
        changed = True
        if not module.check_mode:
            if p["wait"]:
                services.wait(deadline)
            try:
                service = services.client.update_container_service(serviceName=p["name"], **updates)["containerService"]
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                services.fail(e, "update")
    if wanted is not None and not same_deployment(service.get("nextDeployment") or service.get("currentDeployment"),
                                                  wanted):
        changed = deployed = True
        if not module.check_mode:
            if p["wait"]:
                services.wait(deadline)
            try:
                service = services.client.create_container_service_deployment(serviceName=p["name"],
                                                                              **wanted)["containerService"]
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                services.fail(e, "deploy to")
    if p["wait"] and not module.check_mode and changed:
        pending = (service.get("nextDeployment") or {}).get("version")
        service = services.wait(deadline, pending)
    module.exit_json(**result_of(service, deployed, changed))


if __name__ == "__main__":
    main()
