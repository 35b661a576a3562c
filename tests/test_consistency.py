"""One set of numbers across every file jxkit writes (issue: figures that agree everywhere).

Renders every report kind of the demo data and of a synthetic dataset (with 不适用
indicators, review rounds, unit-level evaluations and the management-work assessment), then
reads back what a user files — the score CSV, every workbook, every HTML report — with
tests/consistency.py, which parses the files and never asks jxkit's code for the answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from consistency import audit_outputs

from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.scoring import score

REPO = Path(__file__).parent.parent


def _demo(dataset: Path | None, out: Path) -> Path:
    args = ["demo", "--out", str(out), "--workers", "2"]
    if dataset is not None:
        args += ["--dataset", str(dataset)]
    assert main(args) == 0
    source = dataset or REPO / "sample_data" / "demo"
    assert main(["score", str(source), "--out", str(out / "得分.csv")]) == 0
    return out


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo(None, tmp_path_factory.mktemp("demo") / "out")


@pytest.fixture(scope="module")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("synth")
    data = root / "data"
    assert (
        main(
            [
                "synth",
                "--projects",
                "120",
                "--seed",
                "11",
                "--years",
                "2020-2021",
                "--out",
                str(data),
            ]
        )
        == 0
    )
    return data, _demo(data, root / "out")


def test_every_figure_of_the_demo_agrees_with_every_other(demo_out: Path) -> None:
    audit = audit_outputs(demo_out, demo_out / "得分.csv")
    assert audit.problems == []
    # every project report, unit report and workbook row was read: far more than a handful
    assert audit.checked > 1000


def test_every_figure_of_a_synthetic_dataset_agrees(synth_out: tuple[Path, Path]) -> None:
    data, out = synth_out
    result = score(load_dataset(data))
    # the dataset exercises what makes figures diverge: conversions and reviews
    assert len(result.conversions()) > 5
    assert (result.projects["round"] == "review").sum() > 5
    audit = audit_outputs(out, out / "得分.csv")
    assert audit.problems == []
    assert audit.checked > 1000
