"""moto_server with the few AWS behaviours it lacks and our roles meet (test equipment only).

Run as ``python -m tests.harness.moto_server -H 127.0.0.1 -p PORT``; ``emulator.py`` does.
Each patch makes moto answer as AWS does, so that the roles need no emulator-specific branch;
docs/testing.md lists them.

- ALB attributes: AWS returns idle_timeout.timeout_seconds (60), access logs off, HTTP/2 on
  and the other defaults in DescribeLoadBalancerAttributes; moto leaves some out, which breaks
  amazon.aws.elb_application_lb when it compares them.
- RDS gp3 storage: AWS reports the gp3 baseline (3000 IOPS, 125 MiB/s below 400 GiB) in
  DescribeDBInstances; moto leaves Iops and StorageThroughput out, which breaks
  amazon.aws.rds_instance's comparison on the second run.
"""

from __future__ import annotations

import sys

from moto.elbv2 import models as elbv2_models
from moto.rds import models as rds_models
from moto.server import main

GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125

_original_init = rds_models.DBInstance.__init__


def _init_with_gp3_baseline(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    if self.storage_type == "gp3":
        if self.storage_throughput is None:
            self.storage_throughput = GP3_BASELINE_THROUGHPUT
        if self.iops is None:
            self.iops = GP3_BASELINE_IOPS


rds_models.DBInstance.__init__ = _init_with_gp3_baseline

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

if __name__ == "__main__":
    sys.exit(main())
