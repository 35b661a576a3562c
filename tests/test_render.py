"""Report rendering: warm batch path against cold papermill, safety of the page, the batch.

The stand-in notebook ``data/render_smoke.ipynb`` reads a CSV, prints, warns, shows a
styled table and a chart with Chinese text, and fails on request. Batches here run with
one worker so that reports follow each other in the same warm process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import warnings
from functools import partial
from pathlib import Path

import nbformat
import papermill
import pytest

from jxkit.cli.render import run_render
from jxkit.errors import ReportError
from jxkit.render import Job, render_batch, render_notebook, setup_fonts
from jxkit.render.execute import failure_text
from jxkit.render.export import export_html
from jxkit.render.fonts import font_face_css
from jxkit.render.workers import CAN_FORK, run_pool

DATA = Path(__file__).parent / "data"
NOTEBOOK = DATA / "render_smoke.ipynb"
CSV = """指标,目标值,实际值,分值
培训职工人次,1200,1350,20
服务满意度（%）,90,93.5,15
活动场次,24,20,10
"""
EVIL = "<script>alert(1)</script>"
DATA_ERROR = 'projects.csv 第 3 行 budget 列: "12万" 不是数字'


def job(key: str, csv: Path | None = None, **parameters: object) -> Job:
    if csv is not None:
        parameters["data_csv"] = str(csv)
    return Job(
        kind="project",
        key=key,
        notebook=NOTEBOOK,
        parameters=parameters,
        output=Path(f"project/{key}.html"),
        title=f"{key} 绩效自评报告",
        inputs=[csv] if csv is not None else [],
    )


def comparable(page: str) -> str:
    """A page without what differs between two runs: render time, Styler ids and addresses."""
    page = re.sub(r"生成时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", "生成时间 -", page)
    page = re.sub(r" at 0x[0-9a-f]+>", " at 0x->", page)  # text/plain of a Styler
    return re.sub(r"T_[0-9a-f]{5}", "T_-", page)


def stderr_of(nb: nbformat.NotebookNode) -> str:
    return "".join(
        out.text
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type == "stream" and out.name == "stderr"
    )


def stdout_of(nb: nbformat.NotebookNode) -> str:
    return "".join(
        out.text
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type == "stream" and out.name == "stdout"
    )


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("input") / "indicators.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, csv: Path) -> tuple[Path, object]:
    """One batch: two good reports (the first changes matplotlib settings), two failures."""
    out = tmp_path_factory.mktemp("batch")
    jobs = [
        job("00123", csv, project_id="00123", project_name=EVIL, rc_probe=True),
        job("P2", csv, project_id="P2", project_name="第二个项目"),
        job("bad-data", csv, fail="jxkit"),
        job("bad-code", csv, fail="python"),
    ]
    result = render_batch(jobs, out, workers=1, progress=False)
    return out, result


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


# --- the warm path gives what papermill gives ------------------------------------------------


def test_warm_batch_html_equals_cold_papermill(
    batch: tuple[Path, object], csv: Path, tmp_path: Path
) -> None:
    out, _ = batch
    parameters = {
        "project_id": "00123",
        "project_name": EVIL,
        "rc_probe": True,
        "data_csv": str(csv),
    }
    cold = papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "cold.ipynb"),
        parameters=parameters,
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    warm = nbformat.read(out / "project" / "00123.ipynb", as_version=4)
    # Same outputs cell by cell (stderr names the process, Styler ids are random).
    for cold_cell, warm_cell in zip(cold.cells, warm.cells, strict=True):
        assert cold_cell.get("execution_count") == warm_cell.get("execution_count")
        keep = [
            [o for o in c.get("outputs", []) if o.get("name") != "stderr"]
            for c in (cold_cell, warm_cell)
        ]
        assert comparable(json.dumps(keep[0], sort_keys=True)) == comparable(
            json.dumps(keep[1], sort_keys=True)
        )
    assert cold.metadata.papermill.parameters == warm.metadata.papermill.parameters
    assert cold.metadata.language_info == warm.metadata.language_info
    page = export_html(cold, title="00123 绩效自评报告")
    assert comparable(page) == comparable(read(out, "project/00123.html"))


def test_codes_stay_strings(batch: tuple[Path, object]) -> None:
    out, _ = batch
    assert "项目编号：00123（str）" in read(out, "project/00123.html")
    nb = nbformat.read(out / "project" / "00123.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters["project_id"] == "00123"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'project_id = "00123"' in injected[0].source


# --- what the page may and may not contain ---------------------------------------------------


def test_page_is_self_contained(batch: tuple[Path, object]) -> None:
    out, _ = batch
    for name in ("project/00123.html", "project/P2.html", "index.html"):
        page = read(out, name)
        # base64 has no ":" so a URL cannot hide in embedded data by chance
        assert not re.search(r"https?:|ftp:|(src|href)=\"//", page, re.IGNORECASE), name
        assert "@font-face" in page
    report = read(out, "project/00123.html")
    assert "<script" not in report
    assert "data:image/png;base64," in report
    assert "In&nbsp;[" not in report and "import matplotlib" not in report  # no code, no prompts


def test_report_is_small(batch: tuple[Path, object]) -> None:
    out, _ = batch
    assert (out / "project" / "00123.html").stat().st_size < 300_000


def test_no_stderr_or_warnings_in_page(batch: tuple[Path, object]) -> None:
    out, _ = batch
    page = read(out, "project/00123.html")
    assert "示例警告" not in page and "Warning" not in page
    # ...but the executed notebook keeps them for provenance
    nb = nbformat.read(out / "project" / "00123.ipynb", as_version=4)
    assert "示例警告" in stderr_of(nb)


def test_values_from_data_are_escaped(batch: tuple[Path, object]) -> None:
    out, _ = batch
    page = read(out, "project/00123.html")
    assert EVIL not in page
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page.count(escaped) >= 2  # the title (Markdown output) and the styled table


def test_numbers_in_tables_are_aligned(batch: tuple[Path, object]) -> None:
    out, _ = batch
    assert re.search(
        r'<td[^>]*class="jx-num[^"]*"[^>]*>1,350\.0</td>', read(out, "project/P2.html")
    )


def test_page_in_chinese_with_a4_print_style(batch: tuple[Path, object]) -> None:
    out, _ = batch
    page = read(out, "project/P2.html")
    assert '<html lang="zh-CN">' in page
    assert "<title>P2 绩效自评报告</title>" in page
    assert "size: A4" in page and "@media print" in page


# --- the batch --------------------------------------------------------------------------------


def test_failures_do_not_stop_the_batch(batch: tuple[Path, object]) -> None:
    out, result = batch
    status = {r.job.key: r.status for r in result.results}  # type: ignore[attr-defined]
    assert status == {"00123": "ok", "P2": "ok", "bad-data": "failed", "bad-code": "failed"}
    errors = {r.job.key: r.error for r in result.failed}  # type: ignore[attr-defined]
    assert errors["bad-data"] == DATA_ERROR  # a jxkit error: its own message, nothing else
    assert errors["bad-code"].startswith("KeyError: '预算'")
    assert "Traceback" not in errors["bad-code"] and "\n" not in errors["bad-code"]
    for key in ("bad-data", "bad-code"):
        assert not (out / "project" / f"{key}.html").exists()
        nb = nbformat.read(out / "project" / f"{key}.ipynb", as_version=4)
        assert nb.metadata.papermill.exception is True  # traceback kept for provenance
    index = read(out, "index.html")
    assert "失败" in index and "projects.csv 第 3 行 budget 列: &#34;12万&#34; 不是数字" in index
    assert "KeyError: &#39;预算&#39;" in index
    assert 'href="project/00123.html"' in index and 'href="project/bad-data.html"' not in index


def test_matplotlib_state_does_not_leak(batch: tuple[Path, object]) -> None:
    out, _ = batch
    first = nbformat.read(out / "project" / "00123.ipynb", as_version=4)
    second = nbformat.read(out / "project" / "P2.ipynb", as_version=4)
    assert "lines.linewidth = 7.5" in stdout_of(first)
    assert "lines.linewidth = 1.5" in stdout_of(second)


def test_no_temporary_files_left(batch: tuple[Path, object]) -> None:
    out, _ = batch
    hidden = [p.name for p in out.rglob(".*")]
    assert hidden == [".jxkit-render.jsonl"]
    assert all(p.stat().st_mode & 0o044 for p in out.rglob("*.html"))  # readable by others


def test_hang_and_crash_are_that_reports_failure(tmp_path: Path, csv: Path) -> None:
    jobs = [job("hang", csv, fail="hang"), job("crash", csv, fail="crash"), job("fine", csv)]
    result = render_batch(jobs, tmp_path, workers=1, progress=False, timeout=10)
    by_key = {r.job.key: r for r in result.results}
    assert by_key["fine"].status == "ok"
    assert by_key["hang"].status == "failed" and "超过 10 秒" in by_key["hang"].error
    assert by_key["crash"].status == "failed" and "SIGKILL" in by_key["crash"].error
    assert sorted(p.name for p in tmp_path.rglob("*.html")) == ["fine.html", "index.html"]
    assert [p.name for p in tmp_path.rglob(".*")] == [".jxkit-render.jsonl"]


def test_resume_skips_unchanged_and_renders_changed(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(CSV, encoding="utf-8")
    second.write_text(CSV, encoding="utf-8")
    out = tmp_path / "out"
    jobs = [job("A", first), job("B", second)]
    assert [r.status for r in render_batch(jobs, out, workers=1, progress=False).results] == [
        "ok",
        "ok",
    ]
    page_a = (out / "project" / "A.html").stat().st_mtime_ns
    again = render_batch(jobs, out, workers=1, progress=False, resume=True)
    assert [r.status for r in again.results] == ["skipped", "skipped"]
    second.write_text(CSV + "新增指标,10,5,5\n", encoding="utf-8")
    changed = render_batch(jobs, out, workers=1, progress=False, resume=True)
    assert [r.status for r in changed.results] == ["skipped", "ok"]
    assert (out / "project" / "A.html").stat().st_mtime_ns == page_a
    assert "新增指标" in read(out, "project/B.html")
    assert "未变更" in read(out, "index.html")


def test_cli_reruns_only_the_failed(
    batch: tuple[Path, object], tmp_path: Path, csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = batch
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    jobs = [
        job("00123", csv, project_id="00123", project_name=EVIL, rc_probe=True),
        job("P2", csv, project_id="P2", project_name="第二个项目"),
        job("bad-data", csv, fail="jxkit"),
        job("bad-code", csv, fail="python"),
    ]
    args = argparse.Namespace(
        dataset=Path("数据集"),
        out=copy,
        kind=["project"],
        round=None,
        year=None,
        only=None,
        sample=None,
        workers=1,
        resume=True,
        format=["html"],
        timeout=None,
    )
    assert run_render(args, make_jobs=lambda *a, **k: jobs) == 1
    captured = capsys.readouterr()
    assert "未变更跳过 2" in captured.out
    assert DATA_ERROR in captured.err
    assert "--only bad-data,bad-code" in captured.err
    args.only = ["nobody"]
    with pytest.raises(ReportError, match="没有这些编号的报告：nobody"):
        run_render(args, make_jobs=lambda *a, **k: jobs)


# --- one report, cold --------------------------------------------------------------------------


def test_render_notebook_cold_failure_in_plain_words(tmp_path: Path) -> None:
    html = tmp_path / "r" / "bad.html"
    with pytest.raises(ReportError) as caught:
        render_notebook(NOTEBOOK, {"fail": "jxkit"}, html)
    assert str(caught.value) == DATA_ERROR
    assert not html.exists() and html.with_suffix(".ipynb").exists()


def test_failure_text() -> None:
    assert failure_text("DataError", "数据有问题") == "数据有问题"
    assert (
        failure_text("ValueError", "bad\n value", 4) == "ValueError: bad value（出错单元格 In [4]）"
    )


def test_job_output_must_stay_inside_the_folder() -> None:
    with pytest.raises(ReportError, match="相对路径"):
        Job("project", "x", NOTEBOOK, {}, Path("../x.html"), "x")


# --- fonts ------------------------------------------------------------------------------------


def test_chinese_renders_without_missing_glyphs() -> None:
    """Fails on any "Glyph ... missing from font(s)" warning, on a machine with no CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    setup_fonts()
    assert "Noto Sans SC" in matplotlib.rcParams["font.sans-serif"][:8]
    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.bar(["培训人次", "满意度"], [1, 2])
    ax.set_title("各指标得分（万元）−1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_no_glyph_warning_in_executed_reports(batch: tuple[Path, object]) -> None:
    out, _ = batch
    for key in ("00123", "P2"):
        nb = nbformat.read(out / "project" / f"{key}.ipynb", as_version=4)
        assert "Glyph" not in stderr_of(nb) and "findfont" not in stderr_of(nb)


def test_machine_has_no_cjk_font_or_we_do_not_need_it() -> None:
    """Documents the condition the glyph tests were written for (not a requirement)."""
    if shutil.which("fc-list") is None:
        pytest.skip("no fontconfig")
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if listed.strip():
        pytest.skip("this machine has a system CJK font; the shipped one is the fallback")


def test_font_subset_is_small_and_deterministic() -> None:
    text = "工会预算绩效管理：一、基本情况（2021 年度）"
    css = font_face_css(text)
    assert css == font_face_css(text)
    assert len(css) < 40_000
    assert css.startswith('@font-face{font-family:"jxkit Noto Sans SC"')


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_on_request(batch: tuple[Path, object], tmp_path: Path) -> None:
    from jxkit.render.export import pdf_support, write_pdf

    try:
        pdf_support()
    except ReportError as exc:
        pytest.skip(str(exc))
    out, _ = batch
    pdf = write_pdf(read(out, "project/P2.html"), tmp_path / "P2.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


# --- on a Dask cluster --------------------------------------------------------------------------


def note_pid(path: str) -> None:
    """A warm-up that says where it ran."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")


def worker_pid(task: int, warm: bool) -> dict[str, object]:
    """A task that says which worker forked it."""
    return {"status": "ok", "error": "", "seconds": 0.0, "worker": os.getppid()}


def pool_run(tmp_path: Path, warm_here: bool) -> tuple[list[int], set[int]]:
    """Run four tasks on two workers: the pids the warm-up ran in, and the workers' pids."""
    warmed = tmp_path / f"warmed-{warm_here}-{threading.active_count()}.txt"
    outcomes = list(
        run_pool(
            range(4),
            workers=2,
            warm=partial(note_pid, str(warmed)),
            run=worker_pid,
            clean=note_pid,  # never called: no task is killed
            warm_here=warm_here,
        )
    )
    assert sorted(i for i, _ in outcomes) == [0, 1, 2, 3]
    pids = [int(line) for line in warmed.read_text(encoding="utf-8").split()]
    return pids, {int(o["worker"]) for _, o in outcomes}


@pytest.mark.skipif(not CAN_FORK, reason="workers are forked only where there is fork")
def test_warm_here_warms_once_in_the_caller_and_forks_the_workers(tmp_path: Path) -> None:
    alone = threading.active_count() == 1  # another test may have left a thread running
    pids, workers = pool_run(tmp_path, warm_here=True)
    if alone:
        assert pids == [os.getpid()]  # one warm-up, here
    else:  # a process with threads must not fork its workers: each warms itself
        assert len(pids) == 2 and os.getpid() not in pids
    assert len(workers) == 2 and os.getpid() not in workers
    # without warm_here, as a library call in a notebook: each new worker warms up
    pids, workers = pool_run(tmp_path, warm_here=False)
    assert len(pids) == 2 and set(pids) == workers and os.getpid() not in pids


@pytest.mark.skipif(not CAN_FORK, reason="workers are forked only where there is fork")
def test_warm_here_with_another_thread_starts_fresh_workers(tmp_path: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        pids, workers = pool_run(tmp_path, warm_here=True)
    finally:
        stop.set()
        other.join()
    assert len(pids) == 2 and set(pids) == workers and os.getpid() not in pids


def test_command_forked_workers_write_the_same_pages(
    batch: tuple[Path, object], csv: Path, tmp_path: Path
) -> None:
    """``jxkit render`` forks its workers from itself, warm: the pages are the batch's."""
    local, _ = batch
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "import test_render as t; from jxkit.render import render_batch;"
        "csv = Path(sys.argv[2]);"
        "jobs = [t.job('00123', csv, project_id='00123', project_name=t.EVIL, rc_probe=True),"
        " t.job('P2', csv, project_id='P2', project_name='第二个项目')];"
        "r = render_batch(jobs, sys.argv[3], workers=2, progress=False, warm_here=True);"
        "print(len(r.ok))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), str(csv), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "2", done.stderr
    for name in ("project/00123.html", "project/P2.html"):
        assert comparable(read(tmp_path, name)) == comparable(read(local, name))


def test_import_does_not_load_distributed() -> None:
    code = "import sys, jxkit.render, jxkit.render.batch, jxkit.cli.render; print('distributed' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_dask_cluster_same_outputs_index_resume_and_isolation(
    batch: tuple[Path, object], csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    local, _ = batch
    jobs = [
        job("00123", csv, project_id="00123", project_name=EVIL, rc_probe=True),
        job("P2", csv, project_id="P2", project_name="第二个项目"),
        job("bad-data", csv, fail="jxkit"),
        job("crash", csv, fail="crash"),
    ]
    out = tmp_path / "shared"
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = render_batch(jobs, out, client=client, progress=False)
        status = {r.job.key: r.status for r in result.results}
        assert status == {"00123": "ok", "P2": "ok", "bad-data": "failed", "crash": "failed"}
        errors = {r.job.key: r.error for r in result.failed}
        assert errors["bad-data"] == DATA_ERROR
        assert "SIGKILL" in errors["crash"]  # the report's process, not the Dask worker
        for name in ("project/00123.html", "project/P2.html"):
            assert comparable(read(out, name)) == comparable(read(local, name))
        index = read(out, "index.html")
        assert 'href="project/00123.html"' in index and DATA_ERROR.split(":")[0] in index
        again = render_batch(jobs, out, client=client, progress=False, resume=True)
        assert [r.status for r in again.results] == ["skipped", "skipped", "failed", "failed"]
        assert len(client.scheduler_info()["workers"]) == 2  # no worker was lost
        # the command: jxkit render ... --scheduler ADDRESS
        args = argparse.Namespace(
            dataset=Path("数据集"),
            out=out,
            kind=["project"],
            round=None,
            year=None,
            only=None,
            sample=None,
            workers=1,
            resume=True,
            format=["html"],
            timeout=None,
            scheduler=cluster.scheduler_address,
        )
        assert run_render(args, make_jobs=lambda *a, **k: jobs[:2]) == 0
        assert "未变更跳过 2" in capsys.readouterr().out
