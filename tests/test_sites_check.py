"""``normdocs sites check``: every entry validated, every column fetched once and explained.

Against the mirror (real HTTP over loopback) the check finds each family's parameters and the
site's own totals; against hosts it cannot reach it says why, in one line per column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mirror
from corpus.cli import cli
from crawler.check import check_sites
from crawler.sites import BUNDLED, FAMILIES, load_sites

pytestmark = pytest.mark.integration


def _run(*args: str):
    return CliRunner().invoke(cli, ["sites", "check", *args])


def test_finds_every_familys_parameters_and_the_reported_totals_on_the_mirror(
    mirror_sites_file, mirror_base_port
):
    truth = mirror.truth(mirror_base_port)
    totals = {c["url"]: c["total"] for s in truth["sites"] for c in s["columns"]}
    reports = check_sites(load_sites(mirror_sites_file))
    assert [r.url for r in reports] == list(totals)
    assert all(r.ok for r in reports), [r.error for r in reports if not r.ok]
    for report in reports:
        if report.params.get("pager") == "pages":
            # A TRS pager without an item count: the check says so (the crawl counts the pages).
            assert report.total is None and report.params["pages"] >= 1
        else:
            assert report.total == totals[report.url], report.url
    by_site = {r.site: r.params for r in reports}
    assert by_site["jx-portal"]["webid"] == "3"
    assert by_site["jx-gxt"]["field_names"] == "name[]"
    assert by_site["jx-portal-new"]["field_names"] == "name"
    assert by_site["gz-sthjt"]["pager"] == "container"
    assert by_site["hn-nynct"]["pager"] == "pages"
    assert by_site["gd-gov"]["sid"] == "2"
    assert {r.family for r in reports} == set(FAMILIES)


def test_the_command_prints_one_line_per_column_and_exits_0(mirror_sites_file):
    result = _run("--sites", str(mirror_sites_file), "--json")
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert len(reports) == sum(len(s.columns) for s in load_sites(mirror_sites_file))
    assert all(r["ok"] for r in reports)


def test_an_unreachable_host_is_reported_cleanly_with_exit_1(tmp_path):
    sites = tmp_path / "far.yml"
    sites.write_text(
        "sites:\n  - name: far\n    title: 远方\n    family: trs\n    columns:\n"
        "      - {url: 'http://no-such-host.invalid/xxgk/gfxwj/index.html', kind: normative}\n",
        encoding="utf-8",
    )
    result = _run("--sites", str(sites), "--timeout", "5")
    assert result.exit_code == 1
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith("FAIL far") and "network: no-such-host.invalid" in line
    assert "0 of 1 columns answered; failures: network" in result.stderr


def test_robots_txt_and_http_errors_are_named(mirror_base_port, tmp_path):
    sthjt = f"http://127.0.0.1:{mirror_base_port + 2}"  # its robots.txt closes /private/
    gxt = f"http://127.0.0.1:{mirror_base_port + 3}"
    sites = tmp_path / "bad.yml"
    sites.write_text(
        f"""sites:
  - name: closed
    title: 关
    family: hanweb
    columns:
      - {{url: "{sthjt}/private/col/col1/index.html", kind: normative}}
  - name: gone
    title: 无
    family: jxnew
    columns:
      - {{url: "{gxt}/jxsgyhxxht/nosuch/index.html", kind: normative}}
  - name: notalist
    title: 非
    family: jxnew
    columns:
      - {{url: "{gxt}/jxsgyhxxht/", kind: normative}}
""",
        encoding="utf-8",
    )
    reports = {r.site: r for r in check_sites(load_sites(sites))}
    assert reports["closed"].error_kind == "robots"
    assert reports["gone"].error_kind == "http" and "HTTP 404" in reports["gone"].error
    assert reports["notalist"].error_kind == "parse" and "jpage" in reports["notalist"].error


def test_a_malformed_file_exits_2_naming_entry_and_field(tmp_path):
    sites = tmp_path / "bad.yml"
    sites.write_text(
        "sites:\n  - name: gd-x\n    title: 粤\n    family: gkmlpt\n    columns:\n"
        "      - {url: 'http://h/gkmlpt/index', kind: normative}\n",
        encoding="utf-8",
    )
    result = _run("--sites", str(sites))
    assert result.exit_code == 2
    assert "gd-x" in result.stderr and "names no category" in result.stderr


def test_a_column_option_of_another_family_is_refused(tmp_path):
    sites = tmp_path / "bad.yml"
    sites.write_text(
        "sites:\n  - name: hn-x\n    title: 湘\n    family: trs\n    columns:\n"
        "      - {url: 'http://h/a/index.html', kind: normative, dataproxy: pages}\n",
        encoding="utf-8",
    )
    result = _run("--sites", str(sites), "--offline")
    assert result.exit_code == 2 and "'dataproxy' is for hanweb sites" in result.stderr


def test_the_bundled_real_sites_cover_the_portal_and_twenty_departments():
    sites = load_sites(BUNDLED / "jiangxi.yml")
    names = {s.name for s in sites}
    assert {"jx-portal", "jx-portal-new"} <= names
    departments = [s for s in sites if not s.name.startswith("jx-portal")]
    assert len(departments) >= 20
    assert len({s.title for s in departments}) == len(departments)
    assert all(s.province == "江西省" for s in sites)
    assert any(s.verified for s in departments) and any(not s.verified for s in departments)
    assert all(s.note for s in sites if not s.verified)  # an unverified entry says what is known
    examples = load_sites(BUNDLED / "examples.yml")
    assert {s.family for s in examples} >= {"trs", "gkmlpt", "hanweb"}
    assert {s.family for s in sites} >= {"hanweb", "jxnew"}


@pytest.mark.parametrize("name", ["jiangxi.yml", "examples.yml"])
def test_the_bundled_files_validate_offline(name):
    result = _run("--sites", str(Path(BUNDLED) / name), "--offline")
    assert result.exit_code == 0, result.output
    assert "valid" in result.stderr
