"""The sites registry: which sites to crawl, as data, validated when loaded.

A sites file is YAML::

    sites:
      - name: jx-nync
        title: 江西省农业农村厅
        family: hanweb
        columns:
          - {url: "http://nync.jiangxi.gov.cn/col/col27784/index.html", kind: normative}

Adding a site of a known family is one entry here and no code. A malformed entry fails with one
line that names the entry and the field (``SitesFileError``), which the CLI turns into exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

# The CMS families a spider exists for (crawler/spiders/<family>.py; docs/sites.md describes each).
FAMILIES = ("hanweb", "jxnew", "trs", "gkmlpt")
Family = Literal["hanweb", "jxnew", "trs", "gkmlpt"]
# Column options that only make sense for one family (checked when the file is loaded).
FAMILY_OPTIONS: dict[str, str] = {
    "dataproxy": "hanweb",
    "array_fields": "jxnew",
    "category": "gkmlpt",
    "sid": "gkmlpt",
}
BUNDLED = Path(__file__).resolve().parent.parent / "sites"


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message names the file, entry and field."""


class Column(BaseModel):
    """One list column of a site (规章, 规范性文件, 政策解读 …)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    kind: Literal["rule", "normative", "policy", "interpretation"]
    title: str = ""
    # Hanweb data-proxy convention, normally discovered: "records" (POST startrecord/endrecord)
    # or "pages" (GET ?page=N). Set it only for a site whose discovery guesses wrong.
    dataproxy: Literal["records", "pages"] | None = None
    # Jiangxi new platform: post ``webSiteCode[]``/``channelCode[]`` (True) or the plain names
    # (False) to /queryList; normally discovered from the column page's jpage call.
    array_fields: bool | None = None
    # gkmlpt: the category id and site id, normally read from the URL (``…/gkmlpt/index#5``,
    # ``…/gkmlpt/api/all/5?sid=2``) and the index page's config.
    category: str | None = Field(default=None, pattern=r"^\d+$")
    sid: str | None = Field(default=None, pattern=r"^\d+$")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlparse(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value


class Site(BaseModel):
    """A website of one CMS family and the columns to crawl on it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    family: Family
    province: str = "江西省"
    home_url: str = ""
    verified: bool = True  # False: the column URLs are our best guess, not checked live
    note: str = ""
    columns: list[Column] = Field(min_length=1)

    @model_validator(mode="after")
    def _options_fit_the_family(self) -> Site:
        """A column option of another family is a mistake in the file: say which."""
        for column in self.columns:
            for option, family in FAMILY_OPTIONS.items():
                if getattr(column, option) is not None and family != self.family:
                    raise ValueError(
                        f"column option '{option}' is for {family} sites, not {self.family} "
                        f"({column.url})"
                    )
            if self.family == "gkmlpt" and not (
                column.category or "/api/all/" in column.url or urlparse(column.url).fragment
            ):
                raise ValueError(
                    f"gkmlpt column {column.url} names no category: write …/gkmlpt/index#ID "
                    "or give 'category'"
                )
        return self


class SitesFile(BaseModel):
    """The whole registry file."""

    model_config = ConfigDict(extra="forbid")

    sites: list[Site] = Field(min_length=1)


def _describe(error: ValidationError, raw: dict) -> str:
    """One line naming the entry (by its name when it has one) and the field."""
    first = error.errors()[0]
    loc = list(first["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "sites" and isinstance(loc[1], int):
        index = loc[1]
        entries = raw.get("sites") or []
        entry = entries[index] if index < len(entries) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"site #{index + 1}" + (f" ({name})" if name else "")
        loc = loc[2:]
    field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
    return f"{where}: field '{field or '(entry)'}': {first['msg']}".lstrip(": ")


def load_sites(path: str | Path) -> list[Site]:
    """Load and validate a sites file; raises SitesFileError with a one-line explanation."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SitesFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SitesFileError(f"{path}: not valid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(raw, dict):
        raise SitesFileError(f"{path}: expected a mapping with a 'sites' list")
    try:
        parsed = SitesFile.model_validate(raw)
    except ValidationError as exc:
        raise SitesFileError(f"{path}: {_describe(exc, raw)}") from exc
    names = [s.name for s in parsed.sites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SitesFileError(f"{path}: site name '{dupes[0]}' is used by more than one entry")
    return parsed.sites


def select_sites(sites: list[Site], name: str | None) -> list[Site]:
    """The sites to crawl: all of them, or the one called ``name``."""
    if name is None:
        return sites
    chosen = [s for s in sites if s.name == name]
    if not chosen:
        raise SitesFileError(f"no site named '{name}' (known: {', '.join(s.name for s in sites)})")
    return chosen
