"""The test harness's served load balancer (tests/harness/served_sites.py), tried against what it stands in for:
an application load balancer made through the emulator's API with rules of every kind the roles use (and a
few more), its targets two small HTTP servers on loopback that answer with what they received. Requests go
through the harness's forward proxy by name (the load balancer's DNS name, a Route 53 alias to it) as a
browser's would, and over HTTPS with the local CA's certificate checked for the domain."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.harness.served_sites import Sites, choose_rule, redirect_location, usable_targets

DOMAIN = "app.precedentum.example"


class Echo(http.server.ThreadingHTTPServer):
    """A target: answers every request with its own name and what it received."""

    daemon_threads = True

    def __init__(self, name: str, address: str = "127.0.0.1"):
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                lengths = self.headers.get_all("Content-Length") or []
                if len(lengths) > 1:  # as gunicorn: a request with two is refused
                    self.send_error(400, "Invalid HTTP Header: 'CONTENT-LENGTH'")
                    return
                sent = self.rfile.read(int(lengths[0])).decode() if lengths else ""
                body = json.dumps({"server": name, "path": self.path, "headers": dict(self.headers.items()),
                                   "body": sent}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Set-Cookie", "a=1; Path=/")
                self.send_header("Set-Cookie", "b=2; Path=/")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

        super().__init__((address, 0), Handler)
        self.address = address
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def site(emulator, tmp_path):
    """An ALB as the alb role makes it (HTTP listener, HTTPS with a certificate, backend paths to one group)."""
    ec2, elbv2, acm, route53 = (emulator.client(s) for s in ("ec2", "elbv2", "acm", "route53"))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]
               ["SubnetId"] for i, z in enumerate("ab")]
    lb = elbv2.create_load_balancer(Name="served-alb", Subnets=subnets)["LoadBalancers"][0]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])
    # (two addresses: a target group knows a target by its address)
    backends, frontend = [Echo("backend-1"), Echo("backend-2", "127.0.0.2")], Echo("frontend")
    groups = {}
    for name, servers in (("backend", backends), ("frontend", [frontend])):
        arn = elbv2.create_target_group(Name=f"served-{name}", Protocol="HTTP", Port=80, VpcId=vpc,
                                        TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": s.address, "Port": s.port} for s in servers])
        groups[name] = arn
    certificate = acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")["CertificateArn"]
    forward = [{"Type": "forward", "TargetGroupArn": groups["frontend"]}]
    http_listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                          DefaultActions=forward)["Listeners"][0]["ListenerArn"]
    https_listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                                           Certificates=[{"CertificateArn": certificate}],
                                           DefaultActions=forward)["Listeners"][0]["ListenerArn"]
    for listener in (http_listener, https_listener):
        elbv2.create_rule(ListenerArn=listener, Priority=10, Actions=[
            {"Type": "forward", "TargetGroupArn": groups["backend"]}], Conditions=[
            {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*", "/accounts/*"]}}])
    elbv2.create_rule(ListenerArn=http_listener, Priority=5, Actions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
        Conditions=[{"Field": "host-header", "Values": [DOMAIN]}])
    elbv2.create_rule(ListenerArn=http_listener, Priority=1, Actions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403", "ContentType": "text/plain",
                                                           "MessageBody": "closed"}}],
        Conditions=[{"Field": "path-pattern", "Values": ["/closed/*"]}])
    zone = route53.create_hosted_zone(Name="precedentum.example", CallerReference="served")["HostedZone"]["Id"]
    alias = {"HostedZoneId": lb["CanonicalHostedZoneId"], "DNSName": f"dualstack.{lb['DNSName']}",
             "EvaluateTargetHealth": False}
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": DOMAIN, "Type": "A", "AliasTarget": alias}}]})
    with Sites(emulator, tmp_path) as sites:
        yield sites, lb["DNSName"].lower(), groups, backends
    for server in (*backends, frontend):
        server.shutdown()


def test_rules_targets_headers_and_https(site, emulator):
    sites, name, groups, backends = site
    # Path rules by priority, the default action, round robin over the group's two targets.
    seen = set()
    for _unused in range(4):
        status, body, headers = sites.fetch(f"http://{name}/api/judges/?page=2")
        answer = json.loads(body)
        assert status == 200 and answer["path"] == "/api/judges/?page=2", body
        seen.add(answer["server"])
    assert seen == {"backend-1", "backend-2"}
    assert json.loads(sites.fetch(f"http://{name}/accounts/login/")[1])["server"].startswith("backend")
    status, body, _unused = sites.fetch(f"http://{name}/judges/7")
    answer = json.loads(body)
    assert answer["server"] == "frontend"
    # The ALB's headers, the Host passed on, an invalid header name dropped, a valid one kept.
    received = json.loads(sites.fetch(f"http://{name}/", headers={"X-Forwarded-For": "203.0.113.9",
                                                                  "Bad_Name": "x", "Good-Name": "y"})[1])["headers"]
    assert received["Host"] == name
    assert received["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    assert (received["X-Forwarded-Proto"], received["X-Forwarded-Port"]) == ("http", "80")
    assert "Bad_Name" not in received and received["Good-Name"] == "y"
    # A form's POST: its body and one Content-Length reach the target.
    status, body, _unused = sites.fetch(f"http://{name}/accounts/login/", data=b"a=1&b=2",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    received = json.loads(body)
    assert status == 200 and received["body"] == "a=1&b=2" and received["headers"]["Content-Length"] == "7", received
    # A fixed response; the domain on HTTP redirected to HTTPS; HTTPS with the domain's certificate.
    assert sites.fetch(f"http://{name}/closed/x")[:2] == (403, "closed")
    status, _unused, headers = sites.fetch(f"http://{DOMAIN}/api/me/?x=1")
    assert (status, headers["Location"]) == (301, f"https://{DOMAIN}/api/me/?x=1")
    status, body, headers = sites.fetch(f"https://{DOMAIN}/api/me/")
    received = json.loads(body)["headers"]
    assert status == 200 and received["Host"] == DOMAIN
    assert (received["X-Forwarded-Proto"], received["X-Forwarded-Port"]) == ("https", "443")
    # Through the proxy, as a browser: HTTP by name, HTTPS by CONNECT with the certificate checked;
    # any other name is refused (a browser behind it reaches nothing else).
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": f"http://{sites.proxy}", "https": f"http://{sites.proxy}"}),
        urllib.request.HTTPSHandler(context=sites.ca.client_context()))
    with opener.open(f"http://{name}/api/x", timeout=30) as answer:
        assert json.loads(answer.read())["server"].startswith("backend")
        assert answer.headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    with opener.open(f"https://{DOMAIN}/", timeout=30) as answer:
        assert json.loads(answer.read())["headers"]["X-Forwarded-Proto"] == "https"
    with pytest.raises((urllib.error.HTTPError, urllib.error.URLError, OSError)):
        opener.open("http://example.com/", timeout=30)
    assert any("example.com" in refused for refused in sites.refused)
    # A target that refuses: 502; none registered: 503.
    elbv2 = emulator.client("elbv2")
    elbv2.deregister_targets(TargetGroupArn=groups["backend"], Targets=[
        {"Id": s.address, "Port": s.port} for s in backends])
    assert sites.fetch(f"http://{name}/api/x")[0] == 503
    backends[0].shutdown()
    backends[0].server_close()
    elbv2.register_targets(TargetGroupArn=groups["backend"], Targets=[{"Id": "127.0.0.1", "Port": backends[0].port}])
    assert sites.fetch(f"http://{name}/api/x")[0] == 502


def test_rule_order_redirects_and_fail_open():
    request = {"method": "GET", "path": "/api/x", "query": "a=1", "host": "Example.COM:80", "headers": [],
               "scheme": "http"}
    rules = [{"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": ["default"]},
             {"Priority": "20", "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"]}], "Actions": ["20"]},
             {"Priority": "3", "Conditions": [{"Field": "host-header", "HostHeaderConfig": {
                 "Values": ["*.example.com"]}}], "Actions": ["3"]},
             {"Priority": "100", "Conditions": [{"Field": "host-header", "Values": ["example.com"]}],
              "Actions": ["100"]}]
    assert choose_rule(rules, request)["Actions"] == ["20"]
    assert choose_rule(rules, {**request, "path": "/"})["Actions"] == ["100"]  # host match is case-insensitive
    assert choose_rule(rules, {**request, "path": "/", "host": "other"})["Actions"] == ["default"]
    assert choose_rule(rules, {**request, "path": "/API/x", "host": "other"})["Actions"] == ["default"]  # paths: case
    https = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    assert redirect_location(https, request, 80) == "https://Example.COM/api/x?a=1"
    assert redirect_location({**https, "Port": "8443", "Path": "/new#{path}", "Query": ""}, request, 80) == \
        "https://Example.COM:8443/new/api/x"

    def health(*states):
        return [{"Target": {"Id": f"10.0.0.{i}", "Port": 80}, "TargetHealth": {"State": s}}
                for i, s in enumerate(states)]
    assert usable_targets(health("healthy", "unhealthy", "draining", "healthy")) == [("10.0.0.0", 80), ("10.0.0.3", 80)]
    assert usable_targets(health("unhealthy", "draining", "initial")) == [("10.0.0.0", 80), ("10.0.0.2", 80)]
    assert usable_targets(health("draining")) == []
