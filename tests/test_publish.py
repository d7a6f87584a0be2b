"""Publishing a built library to several serving replicas (corpus.refresh.publish_all).

Real SQLite files in a temporary directory, no crawl: each target is replaced through a temporary
file in its own directory and ``os.replace``; a target that fails part-way (a disk that fills
during the copy) keeps its old file whole and leaves no temporary file, and the others are still
replaced. The crawl-and-build path through ``normdocs refresh`` is in tests/test_refresh.py.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

import pytest

from corpus import refresh


def _library(path: Path, value: str) -> Path:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO build_info VALUES ('as_of', ?)", (value,))
        con.executemany(
            "INSERT INTO build_info VALUES (?, ?)", [(f"k{i}", "x" * 500) for i in range(2000)]
        )
        con.commit()
    finally:
        con.close()  # the last connection: the WAL is checkpointed into the file
    return path


def _as_of(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        return con.execute("SELECT value FROM build_info WHERE key = 'as_of'").fetchone()[0]
    finally:
        con.close()


def _leftovers(*directories: Path) -> list[Path]:
    found: list[Path] = []
    for directory in directories:
        found += list(directory.glob(".*building*")) + list(directory.glob(".*publishing*"))
    return found


def test_every_target_gets_the_same_checked_bytes(tmp_path: Path) -> None:
    work = _library(tmp_path / "work.db", "2026-12-01")
    targets = [tmp_path / "r1" / "normdocs.db", tmp_path / "r2" / "deep" / "normdocs.db"]
    done, failed = refresh.publish_all(work, targets)
    assert (done, failed) == ([str(t) for t in targets], {})
    assert targets[0].read_bytes() == targets[1].read_bytes()
    assert [_as_of(t) for t in targets] == ["2026-12-01", "2026-12-01"]
    assert not _leftovers(tmp_path, *(t.parent for t in targets))


def test_a_target_that_fails_mid_copy_keeps_its_old_file_and_the_others_are_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _library(tmp_path / "old.db", "2026-11-27")
    targets = [tmp_path / name / "normdocs.db" for name in ("r1", "full", "r3")]
    for target in targets:
        target.parent.mkdir()
        shutil.copyfile(old, target)
    work = _library(tmp_path / "work.db", "2026-12-01")
    real_copy = shutil.copyfileobj

    def copy(src, dst, length=0):  # noqa: ANN001, ANN202 - shutil's signature
        if "full" in dst.name:  # the disk of replica "full" fills half-way through the copy
            dst.write(src.read(4096))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(src, dst, length)

    monkeypatch.setattr(refresh.shutil, "copyfileobj", copy)
    done, failed = refresh.publish_all(work, targets)
    assert done == [str(targets[0]), str(targets[2])]
    assert list(failed) == [str(targets[1])] and "No space left" in failed[str(targets[1])]
    assert [_as_of(t) for t in targets] == ["2026-12-01", "2026-11-27", "2026-12-01"]
    assert targets[1].read_bytes() == old.read_bytes()  # untouched, not half-written
    assert not _leftovers(tmp_path, *(t.parent for t in targets))


def test_a_target_that_cannot_be_a_file_is_reported_and_the_rest_published(
    tmp_path: Path,
) -> None:
    work = _library(tmp_path / "work.db", "2026-12-01")
    (tmp_path / "plain-file").write_text("not a directory")
    bad = tmp_path / "plain-file" / "normdocs.db"
    good = tmp_path / "ok" / "normdocs.db"
    done, failed = refresh.publish_all(work, [bad, good, good])  # a target named twice: once
    assert done == [str(good)] and list(failed) == [str(bad)]
    assert _as_of(good) == "2026-12-01"
    assert not _leftovers(tmp_path, good.parent)


def test_a_snapshot_that_fails_its_check_replaces_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _library(tmp_path / "work.db", "2026-12-01")
    target = tmp_path / "r1" / "normdocs.db"

    def broken(work_db, out):  # noqa: ANN001, ANN202
        Path(out).write_bytes(b"")
        raise refresh.RefreshError("the new library failed its check: *** page 3 ***")

    monkeypatch.setattr(refresh, "snapshot", broken)
    with pytest.raises(refresh.RefreshError):
        refresh.publish_all(work, [target])
    assert not target.exists()
