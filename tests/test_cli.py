"""The command line as a whole: help in Chinese for every command, without the heavy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jxkit.cli import build_parser, main

HEAVY = ("pandas", "numpy", "pyarrow", "matplotlib", "nbconvert", "papermill", "openpyxl")


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)  # type: ignore[arg-type]


def test_building_the_parser_imports_nothing_heavy() -> None:
    code = (
        "import sys; from jxkit.cli import build_parser; build_parser(); "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_chinese_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("用法：") and "选项" in text


def test_the_package_exposes_its_names_lazily() -> None:
    code = (
        "import sys, jxkit; assert 'pandas' not in sys.modules; "
        "from jxkit import load_dataset, score, draw; print(sorted(jxkit.__all__)[:3])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Comparison" in out.stdout


def test_score_counts_say_what_they_count(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    demo = Path(__file__).parent.parent / "sample_data" / "demo"
    ev = pd.read_csv(demo / "evaluations.csv", dtype=str)
    pairs = ev[["project_id", "round"]].drop_duplicates()
    rounds = pairs["round"].value_counts()
    assert main(["score", str(demo), "--out", str(tmp_path / "s.xlsx")]) == 0
    out = capsys.readouterr().out
    projects, results = pairs["project_id"].nunique(), len(pairs)
    assert f"已计算 {projects} 个项目的 {results} 条评分结果" in out
    assert f"自评 {rounds['self']} 条、复核 {rounds['review']} 条" in out
    assert "自评等级分布" in out and "复核等级分布" in out
