"""The acm_certificate_request module on the emulator (its ACM issues a DNS-validated certificate once public
DNS answers the validation record: a zone holding it, delegated - tests/harness/fake_dns.py)."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
DOMAIN = "app.precedentum.example"


def certificates(acm) -> list[dict]:
    return [acm.describe_certificate(CertificateArn=c["CertificateArn"])["Certificate"]
            for c in acm.list_certificates()["CertificateSummaryList"]]


def test_request_find_wait_and_delete(emulator):
    acm = emulator.client("acm")

    def request(arguments, *flags):
        return run_module("precedentum.deploy.acm_certificate_request", {"domain_name": DOMAIN, **arguments},
                          emulator.env(), *flags)

    dry = request({}, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True and certificates(acm) == [], dry

    first = request({"tags": {"Project": "precedentum"}})
    assert first.rc == 0 and first.result["changed"] is True, first
    (cert,) = certificates(acm)
    assert cert["CertificateArn"] == first.result["certificate_arn"] and cert["Type"] == "AMAZON_ISSUED"
    assert [(r["domain"], r["type"]) for r in first.result["validation_records"]] == [(DOMAIN, "CNAME")]
    held = {(o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"]) for o in cert["DomainValidationOptions"]}
    assert {(r["name"], r["value"]) for r in first.result["validation_records"]} == held
    tags = acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"])["Tags"]
    assert {"Key": "Project", "Value": "precedentum"} in tags

    # Not delegated yet: the wait runs out, saying so.
    early = request({"wait": True, "wait_timeout": 4})
    assert early.rc != 0 and "PENDING_VALIDATION" in early.result["msg"], early
    r53 = emulator.client("route53")
    zone_id = r53.create_hosted_zone(Name="precedentum.example", CallerReference="test")["HostedZone"]["Id"]
    (record,) = first.result["validation_records"]
    cname = {"Name": record["name"], "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": record["value"]}]}
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": cname}]})
    emulator.delegate("precedentum.example")
    issued = request({"wait": True, "wait_timeout": 60})
    assert issued.rc == 0 and issued.result["changed"] is False, issued
    assert issued.result["certificate_arn"] == first.result["certificate_arn"] and issued.result["status"] == "ISSUED"
    assert [c["Status"] for c in certificates(acm)] == ["ISSUED"]

    # Other names: another certificate; the first is left alone.
    wider = request({"subject_alternative_names": [f"www.{DOMAIN}"]})
    assert wider.rc == 0 and wider.result["changed"] is True and len(certificates(acm)) == 2, wider
    assert {r["domain"] for r in wider.result["validation_records"]} == {DOMAIN, f"www.{DOMAIN}"}

    gone = request({"state": "absent"})
    assert gone.rc == 0 and gone.result["deleted"] == [first.result["certificate_arn"]], gone
    assert [c["CertificateArn"] for c in certificates(acm)] == [wider.result["certificate_arn"]]
    assert request({"state": "absent"}).result["changed"] is False

    # Week 3 again right after a destroy: a new certificate, not the deleted one. ACM answers a request whose
    # idempotency token it saw in the last hour with that request's certificate, deleted or not (so does moto).
    again = request({})
    assert again.rc == 0 and again.result["changed"] is True, again
    assert again.result["certificate_arn"] != first.result["certificate_arn"]
    assert first.result["certificate_arn"] not in [c["CertificateArn"] for c in certificates(acm)]
    assert again.result["certificate_arn"] in [c["CertificateArn"] for c in certificates(acm)]


def test_bad_names_are_refused_before_any_call(recording_emulator):
    run = run_module("precedentum.deploy.acm_certificate_request",
                     {"domain_name": "app..example", "subject_alternative_names": ["-bad.example", "ok.example"],
                      "wait_timeout": 0}, recording_emulator.env())
    message = run.result.get("msg", "")
    assert run.rc != 0 and "domain_name: 'app..example'" in message, run
    assert "subject_alternative_names[0]" in message and "subject_alternative_names[1]" not in message
    assert "wait_timeout" in message
    assert recording_emulator.recorded_requests() == []
