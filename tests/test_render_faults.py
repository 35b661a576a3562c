"""Batch rendering against faults: full disks, read-only folders, killed runs, cut-off files.

The stand-in notebook is ``data/render_smoke.ipynb`` (see tests/test_render.py). A full disk
is mocked in the workers (``prepare`` runs there before they fork the reports) at the
write of a report's page, through the real ``atomic_path``.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from jxkit.cli.render import rerun_command
from jxkit.errors import ReportError
from jxkit.render import Job, render_batch
from jxkit.render import batch as batch_module
from jxkit.render.workers import CAN_FORK

DATA = Path(__file__).parent / "data"
NOTEBOOK = DATA / "render_smoke.ipynb"
MANIFEST = ".jxkit-render.jsonl"


def job(key: str, **parameters: Any) -> Job:
    return Job(
        kind="project",
        key=key,
        notebook=NOTEBOOK,
        parameters=parameters,
        output=Path(f"project/{key}.html"),
        title=f"{key} 绩效自评报告",
    )


def disk_full_from(first: str) -> None:
    """In a worker: from report ``first`` on (by key order), writing a page finds the disk full."""
    original = Path.write_text

    def write_text(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        # atomic_path's temporary name for project/R03.html is .R03.html.xxxxxxxx.html
        key = self.name[1:].split(".", 1)[0]
        if self.name.startswith(".R") and ".html." in self.name and key >= first:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data, *args, **kwargs)

    Path.write_text = write_text  # type: ignore[method-assign]


def hidden(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(".*"))


@pytest.mark.skipif(not CAN_FORK, reason="prepare runs only in forking workers")
def test_full_disk_mid_batch_stops_with_the_index_of_what_was_done(tmp_path: Path) -> None:
    jobs = [job(f"R{i:02d}") for i in range(6)]
    result = render_batch(
        jobs, tmp_path, workers=1, progress=False, prepare=partial(disk_full_from, "R03")
    )
    status = {r.job.key: r.status for r in result.results}
    assert status == {
        "R00": "ok",
        "R01": "ok",
        "R02": "ok",
        "R03": "failed",
        "R04": "failed",
        "R05": "failed",
    }
    errors = {r.job.key: r.error for r in result.failed}
    target = tmp_path / "project" / "R03.html"
    assert errors["R03"] == f"写入“{target}”失败：磁盘已满。请清理磁盘空间或换一个输出位置后重试。"
    assert errors["R05"].startswith("未生成：写入") and "磁盘已满" in errors["R05"]
    assert "磁盘已满" in result.stopped and "提前停止" in result.summary()
    # the index of what was done, no temporary file, no page for the failed
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="project/R0{i}.html"' in index for i in range(3))
    assert not any(f'href="project/R0{i}.html"' in index for i in range(3, 6))
    assert "磁盘已满" in index
    assert sorted(p.name for p in (tmp_path / "project").glob("*.html")) == [
        "R00.html",
        "R01.html",
        "R02.html",
    ]
    assert hidden(tmp_path) == [MANIFEST]
    # the rerun command resumes: done reports are skipped, the rest rendered
    args = argparse.Namespace(
        dataset=Path("数据集"), out=tmp_path, round=None, year=None, sample=None, format=["html"]
    )
    assert rerun_command(args, result).endswith("--kind project --resume")
    again = render_batch(jobs, tmp_path, workers=1, progress=False, resume=True)
    assert [r.status for r in again.results] == ["skipped"] * 3 + ["ok"] * 3


def test_read_only_output_folder_fails_before_any_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_write(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".jxkit-probe.x"))

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a report was started")

    monkeypatch.setattr(batch_module.tempfile, "mkstemp", no_write)
    monkeypatch.setattr(batch_module, "run_pool", never)
    with pytest.raises(ReportError) as caught:
        render_batch([job("R00")], tmp_path, workers=1, progress=False)
    assert str(caught.value) == (
        f"输出文件夹不可用，未生成任何报告。写入“{tmp_path}”失败：没有写入权限。"
        "请换一个可写的文件夹，或检查文件夹权限。"
    )
    assert not (tmp_path / "index.html").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a read-only disk needs root")
def test_read_only_disk_fails_before_any_report(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)])
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with pytest.raises(ReportError, match="没有写入权限（磁盘或文件夹只读）"):
            render_batch([job("R00")], folder, workers=1, progress=False)
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_no_room_for_the_batch_fails_before_any_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Usage:
        free = 3 << 20  # 3 MB: four reports need 4 x 768 KB = 3 MB, five do not fit

    monkeypatch.setattr(batch_module.shutil, "disk_usage", lambda path: Usage())
    monkeypatch.setattr(batch_module, "run_pool", lambda *a, **k: (x for x in ()))
    render_batch([job(f"R{i}") for i in range(4)], tmp_path / "a", workers=1, progress=False)
    with pytest.raises(ReportError) as caught:
        render_batch([job(f"R{i}") for i in range(5)], tmp_path / "b", workers=1, progress=False)
    assert "只剩 3 MB 可用，这批 5 份报告约需 4 MB，未生成任何报告" in str(caught.value)


def test_cut_off_manifest_line_is_redone(tmp_path: Path) -> None:
    jobs = [job("A", project_name="甲"), job("B", project_name="乙")]
    render_batch(jobs, tmp_path, workers=1, progress=False)
    manifest = tmp_path / MANIFEST
    first, second = manifest.read_bytes().splitlines(keepends=True)
    cut = second.index("绩".encode()) + 1  # in the middle of a three-byte character
    manifest.write_bytes(first + second[:cut])
    again = render_batch(jobs, tmp_path, workers=1, progress=False, resume=True)
    assert [r.status for r in again.results] == ["skipped", "ok"]
    lines = manifest.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["A", "B"]


def test_leftover_temporary_files_of_this_batch_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    leftovers = [".A.html.k3j2h1ab.html", ".A.ipynb.zz9_yy8x.ipynb", f".{MANIFEST}.q1w2e3r4.jsonl"]
    kept = [".notes.txt", ".other.html.k3j2h1ab.html"]  # not this batch's: never touched
    for name in leftovers[:2] + kept:
        (folder / name).write_text("半截", encoding="utf-8")
    (tmp_path / leftovers[2]).write_text("半截", encoding="utf-8")
    render_batch([job("A")], tmp_path, workers=1, progress=False)
    assert hidden(tmp_path) == [MANIFEST, *(f"project/{n}" for n in sorted(kept))]


KILLABLE = """
import sys
from pathlib import Path
from jxkit.render import Job, render_batch
keys, out = sys.argv[1].split(","), sys.argv[2]
jobs = [
    Job("project", k, Path(sys.argv[3]), {"fail": "hang" if k == "H" else ""},
        Path(f"project/{k}.html"), k)
    for k in keys
]
render_batch(jobs, out, workers=1, progress=False)
"""


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_killed_batch_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, "A,B,H,C", str(out), str(NOTEBOOK)],
        start_new_session=True,
    )
    manifest = out / MANIFEST
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # A and B done, H hanging with its files half-written
        done = manifest.exists() and len(manifest.read_bytes().splitlines()) == 2
        if done and list((out / "project").glob(".H.ipynb.*")):
            break
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert not (out / "index.html").exists()
    assert [p.name[:9] for p in (out / "project").glob(".*")] == [".H.ipynb."]

    jobs = [job(k, fail="") for k in "ABHC"]
    result = render_batch(jobs, out, workers=1, progress=False, resume=True)
    assert [r.status for r in result.results] == ["skipped", "skipped", "ok", "ok"]
    assert hidden(out) == [MANIFEST]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="project/{k}.html"' in index for k in "ABHC")
