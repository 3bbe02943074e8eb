"""Phase 3.1, HTTPS on a domain (option B), verified through the Route 53, ACM and ELBv2 APIs, on a
replayed week-1 account; destroy.yml --tags https undoes it."""

from __future__ import annotations

import pytest

from tests.harness.aws_state import PREFIX

pytestmark = pytest.mark.slow
DOMAIN = "app.precedentum.example"
ZONE = "precedentum.example."
HTTPS = {"alb_https_domain": DOMAIN}
DESTROY = {**HTTPS, "destroy_confirm": PREFIX}


def zone(r53) -> dict:
    found = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE]
    return found[0] if found else {}


def records(r53, zone_id) -> dict:
    listed = r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {(r["Name"], r["Type"]): r for r in listed}


def certificates(acm) -> list[dict]:
    return [acm.describe_certificate(CertificateArn=c["CertificateArn"])["Certificate"]
            for c in acm.list_certificates()["CertificateSummaryList"]]


def listeners(elb) -> dict:
    (lb,) = [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == f"{PREFIX}-alb"]
    found = {}
    for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        rules = [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
        found[listener["Port"]] = {**listener, "rules": rules}
    return {"lb": lb, **found}


def forwards_like_phase_1_4(listener, tgs) -> None:
    """The routing of phase 1.4: the frontend by default, the Django paths to the backend."""
    assert [a["TargetGroupArn"] for a in listener["DefaultActions"]] == [tgs["frontend"]]
    (rule,) = listener["rules"]
    (condition,) = rule["Conditions"]
    assert condition["Field"] == "path-pattern"
    assert condition["PathPatternConfig"]["Values"] == ["/api/*", "/admin/*", "/static/*", "/accounts/*"]
    assert [a["TargetGroupArn"] for a in rule["Actions"]] == [tgs["backend"]]


def test_https_on_a_domain_check_converge_rerun_keep_then_destroy(emulator, playbook, prebuilt):
    r53, acm, elb = emulator.client("route53"), emulator.client("acm"), emulator.client("elbv2")
    prebuilt(emulator, "week1.yml")
    tgs = {tg["TargetGroupName"].removeprefix(PREFIX + "-"): tg["TargetGroupArn"]
           for tg in elb.describe_target_groups()["TargetGroups"]}

    must_exist = playbook("week3.yml", "--tags", "https", extra_vars={**HTTPS, "alb_https_zone_create": False})
    assert must_exist.rc != 0 and "alb_https_zone_create is false" in must_exist.flat, must_exist
    check = playbook("week3.yml", "--tags", "https", "--check", extra_vars=HTTPS)
    assert check.rc == 0 and check.changed > 0 and "would add an HTTPS listener on 443" in check.flat, check
    assert zone(r53) == {} and certificates(acm) == [] and set(listeners(elb)) == {"lb", 80}

    # The parent domain is served elsewhere today (its registrar's DNS): a zone for it is made, with a warning
    # that delegating it moves all its records, and the subdomain's own zone offered instead.
    emulator.dns(ZONE, {"ns": ["ns1.registrar.example"]})
    # A new zone cannot be delegated yet: the run stops before waiting for ACM, with the name servers to set.
    new = playbook("week3.yml", "--tags", "https", extra_vars=HTTPS)
    assert new.rc != 0, new
    name_servers = r53.get_hosted_zone(Id=zone(r53)["Id"])["DelegationSet"]["NameServers"]
    assert f"The hosted zone {ZONE.rstrip('.')} is new" in new.flat and ", ".join(name_servers) in new.flat, new
    assert "delegate, then run week3.yml --tags https again" in new.flat
    assert "Wait for the certificate to be issued" not in new.output, "it waited for a validation that cannot come"
    assert "WARNING: precedentum.example is served today by ns1.registrar.example" in new.flat, new
    assert f"The safe choice: alb_https_zone={DOMAIN}" in new.flat and "(its mail, MX, included)" in new.flat
    assert [c["Status"] for c in certificates(acm)] == ["PENDING_VALIDATION"]

    # A re-run before the registrar's change: public DNS still names the old servers, so it stops at once.
    undelegated = playbook("week3.yml", "--tags", "https", extra_vars=HTTPS)
    assert undelegated.rc != 0 and "is not delegated to its Route 53 zone yet" in undelegated.flat, undelegated
    assert "answers ns1.registrar.example" in undelegated.flat and ", ".join(name_servers) in undelegated.flat
    assert "Wait for the certificate to be issued" not in undelegated.output
    # Where DNS cannot be asked (a resolver that never answers), it says so and waits; ACM cannot validate here.
    emulator.dns(ZONE, {"silent": True})
    unknown = playbook("week3.yml", "--tags", "https",
                       extra_vars={**HTTPS, "alb_https_certificate_wait_timeout": 3})
    assert unknown.rc != 0 and "Could not ask DNS whether precedentum.example is delegated" in unknown.flat, unknown
    assert "no answer within 3 s" in unknown.flat and "is PENDING_VALIDATION after 3 s" in unknown.flat
    assert [c["Status"] for c in certificates(acm)] == ["PENDING_VALIDATION"]
    assert set(listeners(elb)) == {"lb", 80}, "no HTTPS listener without a certificate"

    emulator.delegate(ZONE)  # what the team does at the registrar
    first = playbook("week3.yml", "--tags", "https", extra_vars=HTTPS)
    assert first.rc == 0, first
    assert "is not delegated" not in first.flat and "Could not ask DNS" not in first.flat
    made = zone(r53)
    assert made["Config"] == {"Comment": f"{PREFIX}: HTTPS of phase 3.1", "PrivateZone": False}
    (cert,) = certificates(acm)
    assert (cert["DomainName"], cert["Type"], cert["Status"]) == (DOMAIN, "AMAZON_ISSUED", "ISSUED")
    assert cert["SubjectAlternativeNames"] == [DOMAIN]
    in_zone = records(r53, made["Id"])
    (option,) = cert["DomainValidationOptions"]
    asked = option["ResourceRecord"]
    validation = in_zone[(asked["Name"], "CNAME")]
    assert validation["ResourceRecords"] == [{"Value": asked["Value"]}], "the record ACM validates with"
    state = listeners(elb)
    alias = in_zone[(DOMAIN + ".", "A")]["AliasTarget"]
    assert (alias["DNSName"].rstrip("."), alias["HostedZoneId"]) == (
        state["lb"]["DNSName"], state["lb"]["CanonicalHostedZoneId"]), "the name points at the load balancer"
    assert set(state) == {"lb", 80, 443}
    https = state[443]
    assert https["Protocol"] == "HTTPS" and https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["Certificates"] == [{"CertificateArn": cert["CertificateArn"]}]
    forwards_like_phase_1_4(https, tgs)
    (redirect,) = state[80]["DefaultActions"]
    assert redirect["Type"] == "redirect" and state[80]["rules"] == []
    assert redirect["RedirectConfig"] == {"Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}",
                                          "Query": "#{query}", "StatusCode": "HTTP_301"}
    assert f"https://{DOMAIN}/" in first.flat and "name servers" in first.flat

    again = playbook("week3.yml", "--tags", "https", extra_vars=HTTPS)
    assert again.rc == 0 and again.changed == 0, again
    # Week 1's load balancer phase, re-run, keeps the HTTPS listener and the redirect.
    week1 = playbook("week1.yml", "--tags", "alb", extra_vars=HTTPS)
    assert week1.rc == 0 and week1.changed == 0, week1
    assert set(listeners(elb)) == {"lb", 80, 443}

    gone = playbook("destroy.yml", "--tags", "https", extra_vars=DESTROY)
    assert gone.rc == 0, gone
    assert zone(r53) == {}, "the zone this role made goes with its records"
    assert certificates(acm) == []
    back = listeners(elb)
    assert set(back) == {"lb", 80}, "plain HTTP again, the load balancer kept"
    forwards_like_phase_1_4(back[80], tgs)
    twice = playbook("destroy.yml", "--tags", "https", extra_vars=DESTROY)
    assert twice.rc == 0 and twice.changed == 0, twice
