"""A report notebook run as users run it: the papermill CLI, then plain ``jupyter nbconvert``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jxkit.files import notebooks_dir


def _run(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``papermill notebooks/project_report.ipynb out.ipynb -p project_id XM2021000006``."""
    folder = tmp_path_factory.mktemp("papermill")
    notebook = notebooks_dir() / "project_report.ipynb"
    _run("papermill", str(notebook), "out.ipynb", "-p", "project_id", "XM2021000006", cwd=folder)
    return folder / "out.ipynb"


def test_plain_papermill_draws_charts_with_a_chinese_font(executed: Path) -> None:
    # matplotlib warns of every glyph missing from its fonts: none is
    nb = json.loads(executed.read_text(encoding="utf-8"))
    stderr = [
        "".join(out["text"])
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
    ]
    assert not any("missing from" in text for text in stderr), stderr
    outputs = [str(out) for cell in nb["cells"] for out in cell.get("outputs", [])]
    assert any("data:image/png;base64," in out for out in outputs)  # its charts were drawn


@pytest.mark.parametrize(
    "how",
    [["--to", "jxkit"], ["--to", "html", "--template", "jxkit"]],
    ids=["exporter", "template"],
)
def test_nbconvert_gives_the_styled_report(executed: Path, how: list[str]) -> None:
    folder = executed.parent
    (folder / "out.html").unlink(missing_ok=True)
    _run("nbconvert", *how, "out.ipynb", cwd=folder)
    page = (folder / "out.html").read_text(encoding="utf-8")
    for heading in (
        "一、基本情况",
        "四、绩效评价指标分析",
        "六、有关建议",
        "七、其他需要说明的问题",
    ):
        assert re.search(f"<h2[^>]*>{heading}", page), heading
    # no code cell, no prompt, no notebook chrome
    assert "jp-InputArea" not in page and "jp-InputPrompt" not in page
    assert "ProjectReport(" not in page and "import " not in page
    # the Chinese font travels inside the page; the page is titled; numbers are aligned
    assert '<style id="jxkit-font">@font-face{' in page
    assert "data:font/woff;base64," in page
    assert "<title>2021年全省财贸金融系统职工书屋建设项目</title>" in page
    assert 'class="jx-num"' in page
    assert "<script" not in page  # nothing runs, nothing is fetched
