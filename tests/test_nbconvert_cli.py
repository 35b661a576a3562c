"""A report notebook run as users run it: the papermill CLI, then ``jupyter nbconvert --to jxkit``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jxkit.files import notebooks_dir


def _run(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_papermill_then_nbconvert_gives_the_styled_report(tmp_path: Path) -> None:
    notebook = notebooks_dir() / "project_report.ipynb"
    _run("papermill", str(notebook), "out.ipynb", "-p", "project_id", "XM2021000006", cwd=tmp_path)
    _run("nbconvert", "--to", "jxkit", "out.ipynb", cwd=tmp_path)

    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    for heading in (
        "一、基本情况",
        "四、绩效评价指标分析",
        "六、有关建议",
        "七、其他需要说明的问题",
    ):
        assert f"<h2>{heading}" in page
    # no code cell, no prompt, no notebook chrome
    assert "jp-InputArea" not in page
    assert "jp-InputPrompt" not in page
    assert "ProjectReport(" not in page
    assert "import " not in page
    # the Chinese font travels inside the page, and the page has a title
    assert '<style id="jxkit-font">@font-face{' in page
    assert "data:font/woff;base64," in page
    assert "<title></title>" not in page
    # the charts were drawn with a Chinese font: matplotlib warned of no missing glyph
    executed = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    stderr = [
        "".join(out["text"])
        for cell in executed["cells"]
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
    ]
    assert not any("missing from" in text for text in stderr), stderr
