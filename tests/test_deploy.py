"""deploy/compose.yml and deploy/Dockerfile agree with the command line and the checkout.

Docker is not run here: the compose file is loaded as YAML and every ``normdocs`` command in it
is checked against ``corpus.cli`` (the subcommand exists, ``--help`` works, every option given
is one the subcommand takes), the Redis URLs name the Redis service, every path a command
reads or writes lies on a volume of its service, the site serves the file the refresh
publishes, and the Dockerfile copies what the image needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from corpus.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
OURS = {name: s for name, s in SERVICES.items() if s.get("image") == "normdocs:latest"}
PATH_OPTIONS = ("--db", "--publish", "--sites")


def _options(command: list[str]) -> dict[str, list[str]]:
    """Option → the values given to it (repeatable options keep every value)."""
    found: dict[str, list[str]] = {}
    for i, word in enumerate(command):
        if word.startswith("--"):
            value = command[i + 1] if i + 1 < len(command) else ""
            found.setdefault(word, []).append("" if value.startswith("--") else value)
    return found


def _mounts(service: dict) -> dict[str, str]:
    """Container path → named volume."""
    mounts = {}
    for entry in service.get("volumes", []):
        volume, path = entry.split(":")[:2]
        mounts[path] = volume
    return mounts


def test_the_compose_file_has_redis_workers_the_refresh_and_the_site() -> None:
    assert {"redis", "worker", "refresh", "site"} <= set(SERVICES)
    assert SERVICES["redis"]["image"].split(":")[0] in ("redis", "valkey/valkey")
    assert SERVICES["worker"]["deploy"]["replicas"] >= 1
    assert SERVICES["worker"]["stop_signal"] == "SIGTERM"
    build = OURS["worker"]["build"]
    assert (ROOT / "deploy" / build["context"] / build["dockerfile"]).resolve() == (
        ROOT / "deploy" / "Dockerfile"
    )


@pytest.mark.parametrize("name", sorted(OURS))
def test_every_command_is_a_normdocs_command_with_options_it_takes(name: str) -> None:
    command = [str(word) for word in OURS[name]["command"]]
    assert command[0] == "normdocs", command
    sub = cli.commands.get(command[1])
    assert isinstance(sub, click.Command), f"{name}: no `normdocs {command[1]}`"
    result = CliRunner().invoke(cli, [command[1], "--help"])
    assert result.exit_code == 0, result.output
    takes = {opt for param in sub.params for opt in getattr(param, "opts", [])}
    for option in _options(command):
        assert option in takes, f"{name}: `normdocs {command[1]}` has no {option}"
    # The line parses (no stray argument), and every required option is given.
    sub.make_context(command[1], command[2:], resilient_parsing=True)
    for param in sub.params:
        if param.required and isinstance(param, click.Option):
            assert set(param.opts) & set(_options(command)), f"{name}: {param.opts} missing"


@pytest.mark.parametrize("name", sorted(OURS))
def test_redis_urls_name_the_redis_service_and_paths_lie_on_volumes(name: str) -> None:
    service = OURS[name]
    command = [str(word) for word in service["command"]]
    options = _options(command)
    for url in options.get("--redis", []):
        assert re.fullmatch(r"redis://redis:6379/\d+", url), url
        assert "redis" in service.get("depends_on", []), f"{name} needs redis up first"
    mounts = _mounts(service)
    for option in ("--db", "--publish"):
        for path in options.get(option, []):
            assert any(path.startswith(m + "/") for m in mounts), f"{name}: {path} on no volume"
    for path in options.get("--sites", []):
        assert (ROOT / path).is_file(), f"{name}: {path} is not in the checkout (nor the image)"
    declared = set(COMPOSE.get("volumes", {}))
    assert set(mounts.values()) <= declared


def test_the_site_serves_the_file_the_refresh_publishes() -> None:
    refresh = _options([str(w) for w in OURS["refresh"]["command"]])
    site = _options([str(w) for w in OURS["site"]["command"]])
    (served,) = site["--db"]
    assert served in refresh["--publish"]
    directory = served.rsplit("/", 1)[0]
    assert _mounts(OURS["site"])[directory] == _mounts(OURS["refresh"])[directory]
    assert any(v.endswith(":ro") for v in OURS["site"]["volumes"])  # the site never writes it
    assert site["--host"] == ["0.0.0.0"]
    port = site["--port"][0]
    assert any(str(p).endswith(f":{port}") for p in OURS["site"]["ports"])
    # The library is the refresh's alone (its writer): no other service mounts it.
    library = _mounts(OURS["refresh"])[refresh["--db"][0].rsplit("/", 1)[0]]
    others = [n for n, s in OURS.items() if n != "refresh" and library in _mounts(s).values()]
    assert not others


def test_the_dockerfile_copies_what_pip_install_needs() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    copied = re.findall(r"^COPY (.+) \S+$", text, re.M)
    sources = {word.rstrip("/") for line in copied for word in line.split()}
    assert {"pyproject.toml", "README.md", "crawler", "corpus", "sites"} <= sources
    for source in sources:
        assert (ROOT / source).exists(), source
    assert "pip install ." in text
    assert re.search(r"^USER (?!root)\S+", text, re.M)


def test_the_readme_shows_the_compose_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/compose.yml" in readme
