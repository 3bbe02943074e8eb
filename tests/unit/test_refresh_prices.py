"""scripts/refresh_prices against saved API responses (tests/fixtures/prices): the emulator has no
Pricing API and no Lightsail, so the responses are files in the APIs' own shape."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "refresh_prices"
TABLE = REPO / "plugins" / "module_utils" / "cost_prices.py"
FIXTURES = REPO / "tests" / "fixtures" / "prices"


@pytest.fixture
def work(tmp_path):
    """A copy of the price table and of the saved responses, free to change."""
    shutil.copy(TABLE, tmp_path / "cost_prices.py")
    shutil.copytree(FIXTURES, tmp_path / "responses")
    return tmp_path


def run(work, *args):
    return subprocess.run([str(SCRIPT), "--replay", str(work / "responses"), "--table", str(work / "cost_prices.py"),
                           "--date", "2026-12-01", *args], capture_output=True, text=True, timeout=120, check=False)


def set_price(work, key, usd, extra_product_usd=None):
    """Change the saved Price List response for KEY (optionally add a second product at another price)."""
    path = work / "responses" / "pricing" / f"{key}.json"
    saved = json.loads(path.read_text())
    product = json.loads(saved["response"]["PriceList"][0])
    for term in product["terms"]["OnDemand"].values():
        for dimension in term["priceDimensions"].values():
            dimension["pricePerUnit"]["USD"] = f"{usd:.10f}"
    saved["response"]["PriceList"] = [json.dumps(product)]
    if extra_product_usd is not None:
        product["product"]["sku"] = "SECONDPRODUCT"
        for term in product["terms"]["OnDemand"].values():
            for dimension in term["priceDimensions"].values():
                dimension["pricePerUnit"]["USD"] = f"{extra_product_usd:.10f}"
        saved["response"]["PriceList"].append(json.dumps(product))
    path.write_text(json.dumps(saved))


def prices(path):
    return runpy.run_path(str(path))


def test_replay_confirms_the_table_and_writes_nothing_without_write(work):
    before = (work / "cost_prices.py").read_bytes()
    result = run(work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 changed, 40 confirmed, 0 unresolved (old figure kept), 5 with no API" in result.stdout
    assert (work / "cost_prices.py").read_bytes() == before


def test_a_changed_price_is_written_with_its_source_and_a_second_run_changes_nothing(work):
    old = prices(work / "cost_prices.py")
    set_price(work, "fargate.X86_64.vcpu_hour", 0.0412)
    result = run(work, "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 changed, 39 confirmed" in result.stdout
    new = prices(work / "cost_prices.py")
    entry = new["PRICES"]["fargate.X86_64.vcpu_hour"]
    assert entry["usd"] == 0.0412
    assert entry["source"] == "AWS Price List API, AmazonECS Fargate-vCPU-Hours:perCPU, 2026-12-01"
    assert new["COLLECTED"] == "2026-12-01"
    assert {k: v["usd"] for k, v in new["PRICES"].items() if k != "fargate.X86_64.vcpu_hour"} == {
        k: v["usd"] for k, v in old["PRICES"].items() if k != "fargate.X86_64.vcpu_hour"}
    # Figures no API gives keep their source and confidence.
    assert new["PRICES"]["fargate.spot_discount"] == old["PRICES"]["fargate.spot_discount"]
    written = (work / "cost_prices.py").read_bytes()
    again = run(work, "--write")
    assert again.returncode == 0 and "0 changed" in again.stdout
    assert (work / "cost_prices.py").read_bytes() == written
    lint = subprocess.run([str(REPO / ".venv" / "bin" / "ruff"), "check", "--config", str(REPO / "pyproject.toml"),
                           str(work / "cost_prices.py")], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout


def test_an_ambiguous_answer_keeps_the_old_figure_and_fails(work):
    set_price(work, "nat.hour", 0.045, extra_product_usd=0.052)
    result = run(work, "--write")
    assert result.returncode == 1
    assert "nat.hour" in result.stdout and "unresolved: several prices matched: 0.045, 0.052" in result.stdout
    assert prices(work / "cost_prices.py")["PRICES"]["nat.hour"]["usd"] == 0.045


def test_a_response_saved_for_another_query_is_refused(work):
    path = work / "responses" / "pricing" / "alb.hour.json"
    saved = json.loads(path.read_text())
    saved["request"]["Filters"][0]["Value"] = "USE1-NetworkLoadBalancerUsage"
    path.write_text(json.dumps(saved))
    (work / "responses" / "lightsail" / "get_bundles.json").unlink()
    result = run(work)
    assert result.returncode == 1
    assert "alb.hour" in result.stdout and "was saved for another query" in result.stdout
    assert "lightsail.instance.1GB" in result.stdout and "no saved response" in result.stdout


def test_tiers_and_units():
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import refresh_prices as r
    finally:
        sys.path.pop(0)
    saved = json.loads((FIXTURES / "pricing" / "data_out.gb.json").read_text())
    assert r.price_from_products(saved["response"], "GB out to the internet") == 0.09  # the free first 100 GB aside
    assert r.per_unit(3.0 / 730, "Hrs", "dashboard-month") == 3.0
    assert r.per_unit(0.0000006, "Requests", "million requests") == 0.6
    with pytest.raises(r.Unresolved, match="no on-demand product"):
        r.price_from_products({"PriceList": []}, "GB")


def test_bad_arguments_are_refused():
    result = subprocess.run([str(SCRIPT), "--replay", "x", "--record", "y"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "exclude each other" in result.stderr
    result = subprocess.run([str(SCRIPT), "--replay", "x", "--date", "26/11/2026"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2 and "--date must be YYYY-MM-DD" in result.stderr
