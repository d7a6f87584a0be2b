"""The sites registry: validated on load, errors name the entry and the field."""

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sites import BUNDLED, SitesFileError, load_sites, select_sites

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["jiangxi.yml", "mirror.yml"])
def test_bundled_sites_files_load(name):
    sites = load_sites(BUNDLED / name)
    assert {"jx-portal", "jx-nync", "jx-sthjt"} <= {s.name for s in sites}


def _write(tmp_path, text):
    path = tmp_path / "sites.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ENTRY = """
  - name: jx-a
    title: 甲
    family: hanweb
    columns:
      - {url: "http://a.example/col/col1/index.html", kind: normative}
"""


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (GOOD_ENTRY.replace("normative", "nonsense"), "site #2 (jx-b): field 'columns[0].kind'"),
        (GOOD_ENTRY.replace('"http://a.example', '"ftp://a.example'), "field 'columns[0].url'"),
        (GOOD_ENTRY.replace("family: hanweb", "family: wordpress"), "field 'family'"),
        (GOOD_ENTRY.replace("    title: 甲\n", ""), "field 'title'"),
        (
            GOOD_ENTRY.replace("    title: 甲\n", "    title: 甲\n    colour: red\n"),
            "field 'colour'",
        ),
    ],
)
def test_a_malformed_entry_is_named_with_its_field(tmp_path, entry, expected):
    path = _write(tmp_path, "sites:" + GOOD_ENTRY + entry.replace("jx-a", "jx-b"))
    with pytest.raises(SitesFileError) as err:
        load_sites(path)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message


def test_duplicate_names_are_refused(tmp_path):
    with pytest.raises(SitesFileError, match="jx-a"):
        load_sites(_write(tmp_path, "sites:" + GOOD_ENTRY + GOOD_ENTRY))


def test_not_yaml_is_refused_in_one_line(tmp_path):
    with pytest.raises(SitesFileError, match="not valid YAML"):
        load_sites(_write(tmp_path, "sites: [\n  - {name: x"))


def test_unknown_site_name_is_refused(tmp_path):
    sites = load_sites(_write(tmp_path, "sites:" + GOOD_ENTRY))
    with pytest.raises(SitesFileError, match="no site named 'jx-z'"):
        select_sites(sites, "jx-z")


@pytest.mark.integration
def test_cli_exits_2_with_one_line_for_a_malformed_file(tmp_path):
    path = _write(tmp_path, "sites:" + GOOD_ENTRY.replace("normative", "nonsense"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus.cli",
            "crawl",
            "--sites",
            str(path),
            "--db",
            str(tmp_path / "x.db"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "site #1 (jx-a): field 'columns[0].kind'" in lines[0]
