"""A plain, non-editable install is complete: the wheel renders reports from any folder.

The wheel is built from the checkout and installed into a fresh virtualenv outside it; the
virtualenv borrows the test environment's third-party packages (a path file), never its
editable jxkit, so a file the package needs but the build leaves out fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


def _run(argv: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "JXKIT_TEMPLATES", "JXKIT_NOTEBOOKS")
    }
    # the borrowed packages' data files (nbconvert's templates) stay under their own prefix
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv outside the checkout with the built wheel installed; its python."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(REPO),
        ],
        root,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("jxkit-*.whl")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root
        ).stdout.strip()
    )
    # third-party packages from the test environment (installing them again would take
    # minutes); the editable jxkit's own path file is not read from there (only site
    # folders' path files are)
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    inst = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        root,
    )
    assert inst.returncode == 0, inst.stderr
    return python


def test_the_installed_package_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    found = _run([str(installed), "-c", "import jxkit; print(jxkit.__file__)"], tmp_path)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(installed.parent.parent)
    assert (installed.parent / "jxkit").is_file()  # the console script


def test_demo_renders_from_any_folder(installed: Path, tmp_path: Path) -> None:
    jxkit = str(installed.parent / "jxkit")
    done = _run(
        [jxkit, "demo", "--out", "out", "--kind", "project", "--year", "2019", "--workers", "2"],
        tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "打开报告索引" in done.stdout
    reports = sorted((tmp_path / "out" / "project").glob("*.html"))
    assert reports, done.stdout
    page = reports[0].read_text(encoding="utf-8")
    assert "综合评价" in page and "Traceback" not in page
    assert (tmp_path / "out" / "index.html").is_file()


def test_edited_copies_of_notebooks_and_templates_are_used(installed: Path, tmp_path: Path) -> None:
    jxkit = str(installed.parent / "jxkit")
    copied = _run([jxkit, "notebooks", "--copy", "mine"], tmp_path)
    assert copied.returncode == 0, copied.stderr
    nb = tmp_path / "mine" / "notebooks" / "project_report.ipynb"
    assert nb.is_file() and (tmp_path / "mine" / "templates" / "policy.yaml").is_file()
    again = _run([jxkit, "notebooks", "--copy", "mine"], tmp_path)
    assert again.returncode == 2 and "不会覆盖" in again.stderr
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("一、基本情况", "一、基本情况（本单位修改版）"),
        encoding="utf-8",
    )
    where = _run(
        [str(installed), "-c", "from jxkit.files import demo_dataset; print(demo_dataset())"],
        tmp_path,
    )
    done = _run(
        [
            jxkit,
            "render",
            where.stdout.strip(),
            "--out",
            "out",
            "--kind",
            "project",
            "--only",
            "XM2019000001",
            "--notebooks",
            "mine/notebooks",
            "--templates",
            "mine/templates",
        ],
        tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "out" / "project" / "XM2019000001.html").read_text(encoding="utf-8")
    assert "本单位修改版" in page


def test_papermill_and_nbconvert_export_with_the_installed_exporter(
    installed: Path, tmp_path: Path
) -> None:
    (entry_points,) = installed.parent.parent.glob("lib/*/site-packages/jxkit-*/entry_points.txt")
    text = entry_points.read_text(encoding="utf-8")
    assert "[nbconvert.exporters]\njxkit = jxkit.render.exporter:JxkitExporter" in text
    template = installed.parent.parent / "share/jupyter/nbconvert/templates/jxkit/index.html.j2"
    assert template.is_file()  # the wheel's shared data: nbconvert finds the template by name
    where = _run(
        [str(installed), "-c", "from jxkit.files import notebooks_dir; print(notebooks_dir())"],
        tmp_path,
    )
    notebook = Path(where.stdout.strip()) / "project_report.ipynb"
    assert notebook.is_relative_to(installed.parent.parent), where.stderr
    ran = _run(
        [str(installed), "-m", "papermill", str(notebook), "out.ipynb", "-p", "project_id",
         "XM2021000006"],
        tmp_path,
        timeout=600,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    for how in (["--to", "jxkit"], ["--to", "html", "--template", "jxkit"]):
        (tmp_path / "out.html").unlink(missing_ok=True)
        exported = _run([str(installed), "-m", "nbconvert", *how, "out.ipynb"], tmp_path)
        assert exported.returncode == 0, exported.stderr[-3000:]
        page = (tmp_path / "out.html").read_text(encoding="utf-8")
        assert "一、基本情况" in page and "jp-InputArea" not in page, how
        assert "data:font/woff;base64," in page, how
