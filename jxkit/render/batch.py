"""Batch rendering: jobs in, report files and a searchable index out.

A province renders thousands of reports at once, so one report's failure never stops the
others, every file appears atomically, and ``resume`` skips reports whose notebook,
parameters, input files, jxkit version and template are unchanged since they last succeeded.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..dataset.tables import atomic_path
from ..errors import FileAccessError, ReportError, os_error_text, user_path
from ..files import templates_dir
from .export import embed_font, pdf_support, write_html
from .report import Task, check_formats, clean_task, run_task, warm_up
from .workers import run_pool

__all__ = [
    "BatchResult",
    "Job",
    "JobResult",
    "render_batch",
]

STATUS_NAMES = {"ok": "成功", "failed": "失败", "skipped": "未变更"}
MANIFEST = ".jxkit-render.jsonl"
INDEX = "index.html"
#: What a report's files take on disk at most, about (a project report: 150 KB of HTML,
#: 70 KB of executed notebook); a batch needs this much free space per report to start.
REPORT_BYTES = {"ipynb": 256 << 10, "html": 512 << 10, "pdf": 1 << 20, "docx": 512 << 10}
#: Errors after which no later report could be written either: the batch stops.
STOP_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


@dataclass(frozen=True)
class Job:
    """One report to render: which notebook, with which parameters, to which file.

    ``output`` is the HTML path relative to the batch's folder; the executed notebook
    (``.ipynb``) and the PDF go beside it. ``inputs`` are the files whose content decides
    whether ``resume`` may skip the report (the notebook itself always counts).
    ``kind_name`` is how the index names the kind (its code when empty), ``rank`` where the
    index lists it, ``summary`` the figures the index shows beside the report (header →
    text, e.g. 总分 → 95.35): the caller's words, the renderer knows no kind.
    """

    kind: str
    key: str
    notebook: Path
    parameters: Mapping[str, Any]
    output: Path
    title: str
    inputs: Sequence[Path] = field(default_factory=list)
    kind_name: str = ""
    rank: int = 0
    summary: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        output = Path(self.output)
        if output.is_absolute() or ".." in output.parts or output.suffix != ".html":
            raise ReportError(
                f"报告 {self.key} 的输出路径“{output}”须是输出文件夹内以 .html 结尾的相对路径"
            )
        object.__setattr__(self, "output", output)
        object.__setattr__(self, "notebook", Path(self.notebook))
        object.__setattr__(self, "inputs", [Path(p) for p in self.inputs])


@dataclass(frozen=True)
class JobResult:
    """How one job went: ``status`` is ``ok``, ``failed`` or ``skipped`` (unchanged, kept)."""

    job: Job
    status: str
    seconds: float
    error: str = ""


@dataclass(frozen=True)
class BatchResult:
    """All jobs' results, in the order the jobs were given."""

    out_dir: Path
    results: list[JobResult]
    seconds: float
    #: why the batch stopped before rendering every report (a full disk), else empty
    stopped: str = ""
    #: the batch's own files that could not be written (index, manifest), in plain words
    unwritten: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        return self.out_dir / INDEX

    @property
    def ok(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "ok"]

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def skipped(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "skipped"]

    def summary(self) -> str:
        """One line for the terminal."""
        text = f"共 {len(self.results)} 份报告：成功 {len(self.ok)}，失败 {len(self.failed)}"
        if self.skipped:
            text += f"，未变更跳过 {len(self.skipped)}"
        text = f"{text}；用时 {self.seconds:.1f} 秒。"
        if self.stopped:
            text += f"批处理已提前停止：{self.stopped} "
        if self.unwritten:
            return text + "索引未能写出：" + "；".join(self.unwritten)
        return f"{text}索引：{self.index}"


def render_batch(
    jobs: Iterable[Job],
    out_dir: str | os.PathLike[str],
    *,
    workers: int = 2,
    resume: bool = False,
    formats: Iterable[str] = ("html",),
    progress: bool = True,
    timeout: float | None = None,
    prepare: Callable[[], object] | None = None,
    client: Any = None,
    warm_here: bool = False,
) -> BatchResult:
    """Render every job on ``workers`` warm processes; write ``index.html``.

    A failed job is recorded with its error in plain words (the traceback stays in its
    executed notebook). With ``resume``, a job whose fingerprint matches its last success
    and whose files are all there is skipped. ``timeout`` (seconds) bounds each report (each
    cell where there is no ``fork``, as on Windows, where reports run in cold kernels).
    ``prepare`` runs once in each worker before its reports, e.g.
    ``functools.partial(load_and_score, dataset)``: what it caches, every report finds in
    memory. It is sent to the workers, so it must be a module-level function or a partial.

    ``warm_here`` is for a process that is only this batch (the ``jxkit render`` command):
    it warms up itself, once, and forks its workers warm, instead of each new worker
    importing and preparing everything again (seconds saved on every batch). Where that is
    unsafe (a process with other threads, such as a Jupyter kernel) or impossible (no
    ``fork``), workers start fresh as without it.

    ``client`` (a ``distributed.Client``) runs the reports on that Dask cluster instead of
    local workers (``workers`` is then the cluster's): same files, index and resume. The
    workers write the reports, so ``out_dir`` must be a folder they all see at this path.

    Before any report, every output folder must be writable and the disk must have room
    for the batch; a full disk mid-batch stops it, with the index of what was done.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    out = Path(out_dir) if client is None else Path(out_dir).resolve()
    job_list = list(jobs)
    wanted = check_formats(formats)
    if "pdf" in wanted:
        pdf_support()
    _check_unique(job_list)
    _check_folders(out, job_list)
    _clean_leftovers(out, job_list, wanted)
    manifest = _Manifest(out)
    fingerprint = _Fingerprinter(wanted)
    prints = [fingerprint(job) for job in job_list]
    results: list[JobResult | None] = [None] * len(job_list)
    todo: list[int] = []
    for i, job in enumerate(job_list):
        if resume and manifest.unchanged(job, prints[i], wanted):
            results[i] = JobResult(job, "skipped", 0.0)
        else:
            todo.append(i)
    _check_space(out, len(todo), wanted)
    tasks = [Task(job_list[i], out, wanted, timeout) for i in todo]
    bar = _quiet_monitor(tqdm)(
        total=len(job_list),
        initial=len(job_list) - len(todo),
        desc="生成报告",
        unit="份",
        disable=not progress,
        dynamic_ncols=True,
    )
    failures = 0
    warm = partial(warm_up, wanted, prepare)
    if client is None:
        runner = run_pool(
            tasks,
            workers=workers,
            warm=warm,
            run=run_task,
            clean=clean_task,
            timeout=timeout,
            warm_here=warm_here,
        )
    else:
        from .cluster import run_on_cluster

        runner = run_on_cluster(
            tasks, client=client, warm=warm, run=run_task, clean=clean_task, timeout=timeout
        )
    stopped = ""
    try:
        with closing(runner):
            for n, outcome in runner:
                i = todo[n]
                result = JobResult(
                    job_list[i], outcome["status"], outcome["seconds"], outcome.get("error", "")
                )
                results[i] = result
                manifest.record(result, prints[i])
                failures += result.status == "failed"
                bar.update(1)
                if failures:
                    bar.set_postfix_str(f"失败 {failures}")
                stop = outcome.get("errno") or manifest.errno
                if stop in STOP_ERRNOS:
                    stopped = os_error_text(OSError(stop, os.strerror(stop)), path=out)
                    break
        if stopped:  # what was not rendered is failed too: the rerun command includes it
            for i in todo:
                if results[i] is None:
                    left = JobResult(job_list[i], "failed", 0.0, f"未生成：{stopped}")
                    results[i] = left
                    manifest.record(left, prints[i], append=False)
    finally:
        bar.close()
        unwritten = _finish(out, manifest, results)
    done = [r for r in results if r is not None]
    return BatchResult(out, done, time.perf_counter() - started, stopped, unwritten)


def _quiet_monitor(bar: type) -> type:
    """The progress bar without tqdm's monitor thread: a process with a thread cannot fork
    its workers warm (a bar of the batch never stalls long enough to need the monitor)."""
    return type(bar.__name__, (bar,), {"monitor_interval": 0})


def _finish(out: Path, manifest: _Manifest, results: Sequence[JobResult | None]) -> list[str]:
    """Save the manifest and write the index; what could not be written, in plain words."""
    problems = []
    for write in (
        manifest.save,
        lambda: write_index(
            out,
            manifest.entries(),
            resumed={r.job.output for r in results if r and r.status == "skipped"},
        ),
    ):
        try:
            write()
        except OSError as exc:  # a full disk: say so, keep the batch's own results
            problems.append(str(exc) if isinstance(exc, FileAccessError) else os_error_text(exc))
    return problems


def _check_folders(out: Path, jobs: Sequence[Job]) -> None:
    """Every folder the batch writes into exists and takes a new file, or the batch does not start.

    Trying is the only sure test: permission bits say nothing to root, or about a disk
    mounted read-only.
    """
    for folder in sorted({out} | {(out / job.output).parent for job in jobs}):
        try:
            if folder.exists() and not folder.is_dir():
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".jxkit-probe.", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            text = os_error_text(exc, action="写入", path=folder)
            raise ReportError(f"输出文件夹不可用，未生成任何报告。{text}") from exc


def _check_space(out: Path, reports: int, formats: Iterable[str]) -> None:
    """Refuse to start a batch whose reports would not fit on the output disk."""
    if not reports:
        return
    need = reports * sum(REPORT_BYTES[f] for f in ("ipynb", *formats))
    free = shutil.disk_usage(out).free
    if free < need:
        raise ReportError(
            f"输出文件夹“{out}”所在磁盘只剩 {free / 2**20:.0f} MB 可用，"
            f"这批 {reports} 份报告约需 {need / 2**20:.0f} MB，未生成任何报告。"
            "请清理磁盘空间或换一个输出位置后重试。"
        )


def _clean_leftovers(out: Path, jobs: Sequence[Job], formats: Iterable[str]) -> None:
    """Remove the hidden half-written files a killed run left beside this batch's files.

    Only temporary files of this batch's own targets (``.name.xxxxxxxx.ext``, as
    :func:`~jxkit.dataset.tables.atomic_path` makes them) are touched.
    """
    targets: dict[Path, set[str]] = {out: {MANIFEST, INDEX}}
    for job in jobs:
        for f in _files(job, formats):
            path = out / f
            targets.setdefault(path.parent, set()).add(path.name)
    for folder, names in targets.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                named = Path(user_path(entry.path)).name
                if named != entry.name and named in names:
                    Path(entry.path).unlink(missing_ok=True)


def _check_unique(jobs: Sequence[Job]) -> None:
    seen: dict[Path, Job] = {}
    clashes = []
    for job in jobs:
        other = seen.setdefault(job.output, job)
        if other is not job:
            clashes.append(f"{other.key} 与 {job.key} 都写 {job.output.as_posix()}")
    if clashes:
        raise ReportError("多份报告的输出文件相同：" + "；".join(clashes))


def _files(job: Job, formats: Iterable[str]) -> list[Path]:
    """A job's files relative to the batch folder: executed notebook, HTML, PDF."""
    return [job.output.with_suffix(".ipynb")] + [job.output.with_suffix(f".{f}") for f in formats]


# --- resume ---------------------------------------------------------------------------------


class _Fingerprinter:
    """A job's fingerprint: everything that could change its report, hashed.

    Input files are hashed once per batch however many jobs share them (a dataset file is
    read by every report), keyed by size and modification time.
    """

    def __init__(self, formats: tuple[str, ...]) -> None:
        self._hashes: dict[tuple[str, int, int], str] = {}
        self._base = hashlib.sha256(json.dumps([formats, _code_digest()]).encode()).hexdigest()

    def __call__(self, job: Job) -> str:
        parts = {
            "base": self._base,
            "parameters": json.dumps(
                dict(job.parameters), sort_keys=True, ensure_ascii=False, default=str
            ),
            "files": [self._file(p) for p in [job.notebook, *job.inputs]],
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def _file(self, path: Path) -> str:
        try:
            stat = path.stat()
        except OSError:
            return f"{path}: missing"
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in self._hashes:
            self._hashes[key] = _sha256(path)
        return self._hashes[key]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _code_digest() -> str:
    """jxkit's version and the report template: an upgrade or a new look re-renders everything.

    Code edits within one version (a checkout under development) do not count: run without
    ``resume`` after changing code.
    """
    import jxkit

    digest = hashlib.sha256(str(jxkit.__version__).encode())
    for path in sorted((templates_dir() / "report").iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _Manifest:
    """What each report's last run was, kept in the batch folder (one JSON line per run).

    Lines are appended as reports finish, so an interrupted batch still knows what it did;
    ``save`` rewrites the file with the latest line per report.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST
        self._entries: dict[str, dict[str, Any]] = {}
        #: the errno of a failed append (a full disk), for the batch to stop on
        self.errno: int | None = None
        try:
            raw = self.path.read_bytes() if self.path.exists() else b""
        except OSError as exc:
            raise FileAccessError(exc, action="读取", path=self.path) from exc
        *lines, last = raw.split(b"\n")
        clean = not last  # a last line without its newline was cut off: redo that report
        for line in lines:
            try:
                entry = json.loads(line.decode("utf-8"))
                self._entries[entry["output"]] = entry
            except (ValueError, KeyError, TypeError):
                clean = False  # a line cut short by a full disk or a kill
        if not clean:
            self.save()  # so that new lines are appended to whole ones

    def unchanged(self, job: Job, fingerprint: str, formats: tuple[str, ...]) -> bool:
        entry = self._entries.get(job.output.as_posix())
        return (
            entry is not None
            and entry.get("status") == "ok"
            and entry.get("fingerprint") == fingerprint
            and all((self.out_dir / f).is_file() for f in _files(job, formats))
        )

    def record(self, result: JobResult, fingerprint: str, *, append: bool = True) -> None:
        """Keep a report's outcome; append it to the file at once unless ``append`` is False."""
        job = result.job
        entry: dict[str, Any] = {
            "output": job.output.as_posix(),
            "kind": job.kind,
            "kind_name": job.kind_name or job.kind,
            "rank": job.rank,
            "summary": dict(job.summary),
            "key": job.key,
            "title": job.title,
            "status": result.status,
            "error": result.error,
            "seconds": round(result.seconds, 3),
            "fingerprint": fingerprint,
            "finished": dt.datetime.now().isoformat(timespec="seconds"),
        }
        self._entries[entry["output"]] = entry
        if not append or self.errno is not None:
            return
        try:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:  # kept in memory; save() tries again at the end
            self.errno = exc.errno

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries.values())

    def save(self) -> None:
        with atomic_path(self.path) as tmp:
            tmp.write_text(
                "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self._entries.values()),
                encoding="utf-8",
            )


# --- index ----------------------------------------------------------------------------------


def write_index(
    out_dir: Path, entries: Iterable[Mapping[str, Any]], *, resumed: Iterable[Path] = ()
) -> Path:
    """Write ``index.html``: every report in the folder with its status, error and links."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    kept = {p.as_posix() for p in resumed}
    rows = []
    for entry in sorted(entries, key=lambda e: (e.get("rank", 0), e["kind"], e["key"])):
        html = Path(entry["output"])
        links = [
            (label, quote(html.with_suffix(suffix).as_posix()))
            for label, suffix in (
                ("HTML", ".html"),
                ("PDF", ".pdf"),
                ("Word", ".docx"),
                ("执行记录", ".ipynb"),
            )
            if (out_dir / html.with_suffix(suffix)).is_file()
        ]
        status = "skipped" if entry["output"] in kept else entry["status"]
        rows.append(
            {
                "kind": entry.get("kind_name") or entry["kind"],
                "key": entry["key"],
                "title": entry["title"],
                "href": quote(html.as_posix()) if (out_dir / html).is_file() else "",
                "status": status,
                "status_name": STATUS_NAMES.get(status, status),
                "seconds": entry["seconds"],
                "error": entry["error"],
                "links": links,
                "finished": entry.get("finished", ""),
                "summary": entry.get("summary") or {},
            }
        )
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUS_NAMES}
    # the figures callers gave, in the order they first appear; numeric ones sort as numbers
    names = list(dict.fromkeys(k for r in rows for k in r["summary"]))
    figures = [
        (f, all(_is_number(r["summary"][f]) for r in rows if r["summary"].get(f))) for f in names
    ]
    env = Environment(
        loader=FileSystemLoader(str(templates_dir() / "report")),
        autoescape=select_autoescape(default=True),
        keep_trailing_newline=True,
    )
    page = env.get_template("batch_index.html.j2").render(
        rows=rows,
        figures=figures,
        counts=counts,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return write_html(embed_font(page), out_dir / INDEX)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
