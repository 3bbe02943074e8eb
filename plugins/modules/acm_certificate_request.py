#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate_request
short_description: Request a public ACM certificate validated by DNS, return its validation records, wait for it
version_added: 1.0.0
description:
  - Requests an Amazon-issued certificate for O(domain_name) (and O(subject_alternative_names))
    with DNS validation - public ACM certificates are free - unless one for exactly those names
    is already issued or pending validation, which is then returned (idempotent).
  - Returns the CNAME records ACM asks for (RV(validation_records)); create them (for example with
    amazon.aws.route53), then call again with O(wait=true) to wait, for at most O(wait_timeout)
    seconds, until the certificate is issued.
  - community.aws.acm_certificate only imports certificates; this module asks ACM to issue one.
options:
  domain_name:
    description: The certificate's main name (C(app.example.com), or C(*.example.com)).
    type: str
    required: true
  subject_alternative_names:
    description: More names on the same certificate.
    type: list
    elements: str
    default: []
  state:
    description: C(present) requests (or finds) it; C(absent) deletes every certificate for exactly these names.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until the certificate is issued (its validation records must exist by then).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait at most (1 to 3600); then the task fails naming the records still awaited.
    type: int
    default: 600
  tags:
    description: Tags of a certificate requested (a certificate found keeps its own).
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
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
  - "IAM: C(acm:RequestCertificate), C(acm:ListCertificates), C(acm:DescribeCertificate),
    C(acm:AddTagsToCertificate), C(acm:DeleteCertificate)."
  - A certificate for a load balancer must be in the load balancer's region.
"""

EXAMPLES = r"""
- name: Ask for the certificate
  precedentum.deploy.acm_certificate_request:
    domain_name: app.example.com
  register: cert

- name: Create the validation records
  amazon.aws.route53:
    zone: example.com
    record: "{{ item.name }}"
    type: "{{ item.type }}"
    value: "{{ item.value }}"
    ttl: 300
    overwrite: true
  loop: "{{ cert.validation_records }}"

- name: Wait for it to be issued
  precedentum.deploy.acm_certificate_request:
    domain_name: app.example.com
    wait: true
    wait_timeout: 900
"""

RETURN = r"""
certificate_arn:
  description: The certificate's ARN (empty in check mode before it exists, or when absent).
  returned: always
  type: str
  sample: arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
deleted:
  description: The certificates deleted (state absent).
  returned: when state is absent
  type: list
  elements: str
  sample:
    - arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
status:
  description: ACM's status (PENDING_VALIDATION, ISSUED...).
  returned: always
  type: str
  sample: ISSUED
validation_records:
  description: The DNS records ACM validates with, one per name (C(domain), C(name), C(type), C(value)).
  returned: always
  type: list
  elements: dict
  sample: [{domain: app.example.com, name: _x1.app.example.com., type: CNAME, value: _x2.acm-validations.aws.}]
  contains:
    domain:
      description: The name the record validates.
      type: str
      returned: always
      sample: app.precedentum.example
    name:
      description: The record's name.
      type: str
      returned: always
      sample: _3b1c.app.precedentum.example.
    type:
      description: The record's type.
      type: str
      returned: always
      sample: CNAME
    value:
      description: The record's value.
      type: str
      returned: always
      sample: _9f2e.acm-validations.aws.
"""

import time
import uuid

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

LIVE = ["PENDING_VALIDATION", "ISSUED"]
POLL_SECONDS = 5  # at most, between two looks (1 s, 2 s, 4 s, then 5 s)
RECORDS_SECONDS = 60  # ACM fills in the validation records a few seconds after the request


def check_inputs(module):
    p, problems = module.params, []
    for where, name in [("domain_name", p["domain_name"])] + [
            (f"subject_alternative_names[{i}]", n) for i, n in enumerate(p["subject_alternative_names"])]:
        labels = (name or "").removeprefix("*.").split(".")
        if len(name or "") > 253 or len(labels) < 2 or not all(
                label and len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
                and not label.startswith("-") and not label.endswith("-") for label in labels):
            problems.append(f"{where}: {name!r} is not a domain name")
    if not 1 <= p["wait_timeout"] <= 3600:
        problems.append("wait_timeout: from 1 to 3600 seconds")
    if problems:
        module.fail_json(msg="; ".join(problems))


class Certificates:
    def __init__(self, module):
        self.module = module
        self.client = module.client("acm")
        p = module.params
        self.names = {p["domain_name"].lower()} | {n.lower() for n in p["subject_alternative_names"]}

    def fail(self, e, what):
        self.module.fail_json_aws(e, msg=f"Could not {what} (certificate for {self.module.params['domain_name']})")

    def describe(self, arn):
        try:
            return self.client.describe_certificate(CertificateArn=arn)["Certificate"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "describe it")

    def matching(self, statuses=None):
        """Amazon-issued certificates for exactly these names, issued ones first."""
        found = []
        try:
            pages = self.client.get_paginator("list_certificates").paginate(
                **({"CertificateStatuses": statuses} if statuses else {}))
            for page in pages:
                for summary in page["CertificateSummaryList"]:
                    if summary.get("DomainName", "").lower() != self.module.params["domain_name"].lower():
                        continue
                    cert = self.describe(summary["CertificateArn"])
                    names = {n.lower() for n in cert.get("SubjectAlternativeNames", [])} | {cert["DomainName"].lower()}
                    if cert.get("Type") == "AMAZON_ISSUED" and names == self.names:
                        found.append(cert)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "list the certificates")
        return sorted(found, key=lambda c: c["Status"] != "ISSUED")

    def request(self):
        p = self.module.params
        # Unique per request: ACM answers a token it saw in the last hour with that request's certificate, even
        # one deleted since (a destroy and week 3 again within the hour). A re-run finds a pending request
        # through matching() first, so it never asks twice.
        token = uuid.uuid4().hex
        args = {"DomainName": p["domain_name"], "ValidationMethod": "DNS", "IdempotencyToken": token}
        if p["subject_alternative_names"]:
            args["SubjectAlternativeNames"] = sorted(self.names)
        if p["tags"]:
            args["Tags"] = ansible_dict_to_boto3_tag_list(p["tags"])
        try:
            return self.client.request_certificate(**args)["CertificateArn"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "request it")


def records(cert):
    return [{"domain": o["DomainName"], "name": o["ResourceRecord"]["Name"], "type": o["ResourceRecord"]["Type"],
             "value": o["ResourceRecord"]["Value"]}
            for o in cert.get("DomainValidationOptions", []) if o.get("ResourceRecord")]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            domain_name=dict(type="str", required=True),
            subject_alternative_names=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=False), wait_timeout=dict(type="int", default=600),
            tags=dict(type="dict", default={})),
        supports_check_mode=True)
    check_inputs(module)
    p, certs = module.params, Certificates(module)

    if p["state"] == "absent":
        found = certs.matching()
        if found and not module.check_mode:
            for cert in found:
                try:
                    certs.client.delete_certificate(CertificateArn=cert["CertificateArn"])
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                    certs.fail(e, f"delete {cert['CertificateArn']} (still in use by {cert.get('InUseBy')}?)")
        module.exit_json(changed=bool(found), certificate_arn="", status="", validation_records=[],
                         deleted=[c["CertificateArn"] for c in found])

    found = certs.matching(LIVE)
    changed = not found
    if changed and module.check_mode:
        module.exit_json(changed=True, certificate_arn="", status="", validation_records=[],
                         msg=f"A certificate for {', '.join(sorted(certs.names))} would be requested")
    arn = found[0]["CertificateArn"] if found else certs.request()

    cert = certs.describe(arn)
    deadline = time.monotonic() + RECORDS_SECONDS
    while len(records(cert)) < len(certs.names) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        cert = certs.describe(arn)
    if p["wait"] and cert["Status"] != "ISSUED":
        deadline, pause = time.monotonic() + p["wait_timeout"], 1
        while cert["Status"] == "PENDING_VALIDATION" and time.monotonic() < deadline:
            time.sleep(min(pause, max(0.1, deadline - time.monotonic())))
            pause = min(POLL_SECONDS, pause * 2)
            cert = certs.describe(arn)
        if cert["Status"] != "ISSUED":
            awaited = ", ".join(f"{r['name']} CNAME {r['value']}" for r in records(cert))
            module.fail_json(msg=f"The certificate {arn} is {cert['Status']} after {p['wait_timeout']} s "
                                 f"(wait_timeout). ACM validates through these DNS records: {awaited}",
                             certificate_arn=arn, status=cert["Status"], validation_records=records(cert),
                             changed=changed)
    module.exit_json(changed=changed, certificate_arn=arn, status=cert["Status"], validation_records=records(cert))


if __name__ == "__main__":
    main()
