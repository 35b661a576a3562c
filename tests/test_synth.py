"""Synthetic data: deterministic, the dataset contract, realistic patterns, and the demo."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jxkit.catalogue import CATEGORY_CODES
from jxkit.cli import main
from jxkit.dataset import load_dataset
from jxkit.errors import DataError
from jxkit.frameworks import get_framework
from jxkit.synth import TABLE_COLUMNS, synth_dataset, write_dataset

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "sample_data"
SCRIPT = REPO / "scripts" / "make_sample_data.py"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return synth_dataset(1500, 11)


def test_same_seed_same_tables() -> None:
    a, b = synth_dataset(120, 5), synth_dataset(120, 5)
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_other_seed_other_tables() -> None:
    a, b = synth_dataset(120, 5), synth_dataset(120, 6)
    assert not a["projects"].equals(b["projects"])
    assert not a["evaluations"].equals(b["evaluations"])


def test_shape(tables: dict[str, pd.DataFrame]) -> None:
    assert list(tables) == list(TABLE_COLUMNS)
    for name, columns in TABLE_COLUMNS.items():
        assert list(tables[name].columns) == list(columns)
    projects, indicators = tables["projects"], tables["indicators"]
    assert len(projects) == 1500 and projects["project_id"].is_unique
    assert set(projects["year"]) == {2019, 2020, 2021}
    assert set(CATEGORY_CODES) <= set(projects["category"])
    assert (projects["category"] == "other").any()
    assert not indicators.duplicated(["project_id", "indicator_id"]).any()
    totals = indicators.groupby("project_id")["points"].sum()
    assert len(totals) == 1500 and np.allclose(totals, 100)
    assert (projects["spent"] <= projects["budget"]).all()
    assert projects["budget"].between(10_000, 50_000_000).all()


def test_units_scale_with_projects() -> None:
    demo = synth_dataset(60, 1)["units"]["level"].value_counts().to_dict()
    assert demo == {"province": 1, "city": 4, "industry": 2, "county": 4}
    full = synth_dataset(3000, 1)["units"]["level"].value_counts().to_dict()
    assert full == {"province": 1, "city": 11, "industry": 8, "county": 90}


def test_indicators_come_from_the_category_framework(tables: dict[str, pd.DataFrame]) -> None:
    first = tables["projects"].groupby("category")["project_id"].first()
    indicators = tables["indicators"].set_index("project_id")
    for category, pid in first.items():
        fw = get_framework(str(category))
        rows = indicators.loc[[pid]]
        assert rows["indicator_id"].tolist() == fw.leaves["indicator_id"].tolist()
        custom = (fw.leaves["type"] == "custom").to_numpy()
        examples = {e["name"] for slot in fw.examples.values() for e in slot}
        assert set(rows["name"].to_numpy()[custom]) <= examples  # slots filled in
        assert (rows["target"].to_numpy()[~custom] != "").all()


def test_evaluations_follow_the_projects(tables: dict[str, pd.DataFrame]) -> None:
    projects, indicators, ev = tables["projects"], tables["indicators"], tables["evaluations"]
    keys = ev[["project_id", "indicator_id"]].merge(indicators, how="left", indicator=True)
    assert (keys["_merge"] == "both").all()
    assert not (keys["rule"] == "execution_rate").any()  # scored from the budget
    evaluated = set(projects.loc[projects["self_evaluated"] == "是", "project_id"])
    assert set(ev.loc[ev["round"] == "self", "project_id"]) == evaluated
    reviewed = set(ev.loc[ev["round"] == "review", "project_id"])
    assert reviewed <= evaluated
    assert len(reviewed) == round(0.3 * len(evaluated))
    assert not ev.duplicated(["project_id", "indicator_id", "round"]).any()


def test_not_applicable_only_where_allowed(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["evaluations"].merge(tables["projects"][["project_id", "category"]])
    na = ev[ev["actual"] == "不适用"]
    assert len(na) > 0
    for category, group in na.groupby("category"):
        fw = get_framework(str(category))
        allowed = set(fw.leaves.loc[fw.leaves["na_allowed"], "indicator_id"])
        assert set(group["indicator_id"]) <= allowed


def test_compliance_improves_and_is_never_complete(tables: dict[str, pd.DataFrame]) -> None:
    projects = tables["projects"]
    rates = projects.groupby("year")[["targets_declared", "targets_approved", "self_evaluated"]]
    shares = rates.agg(lambda s: (s == "是").mean())
    assert (shares.diff().dropna() > 0).all().all()
    assert (shares < 1).all().all()
    assert set(projects["targets_declared"]) == {"是", "否"}


def test_review_is_stricter_and_some_self_evaluations_are_inflated(
    tables: dict[str, pd.DataFrame],
) -> None:
    ev = tables["evaluations"].merge(tables["indicators"])
    ratio = ev[ev["rule"] == "ratio"]
    wide = ratio.pivot_table(
        index=["project_id", "indicator_id"], columns="round", values="actual", aggfunc="first"
    ).dropna()
    wide = wide[(wide != "不适用").all(axis=1)].astype(float)
    assert (wide["review"] <= wide["self"] + 1e-9).all()
    assert (wide["review"] < wide["self"]).mean() > 0.05


def test_personal_data_for_masking(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["evaluations"].merge(tables["projects"][["project_id", "category"]])
    text = ev["evidence"] + " " + ev["note"]
    has_id = text.str.contains(r"\d{17}[\dX]", regex=True)
    assert has_id.sum() > 20
    assert (ev.loc[has_id, "category"] == "hardship_assistance").all()
    assert text[has_id].str.contains(r"1[3-9]\d{9}", regex=True).all()
    for number in text[has_id].str.extract(r"(\d{17}[\dX])")[0].head(200):
        total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
        assert "10X98765432"[total % 11] == number[17]


def test_years_and_review_share() -> None:
    t = synth_dataset(50, 2, years=(2021,), review_share=0)
    assert set(t["projects"]["year"]) == {2021}
    assert (t["evaluations"]["round"] == "self").all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"n_projects": 0}, "项目数"), ({"review_share": 1.5}, "复核比例"), ({"years": ()}, "年度")],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"n_projects": 10, "seed": 1} | kwargs
    with pytest.raises(DataError, match=match):
        synth_dataset(**args)  # type: ignore[arg-type]


def test_written_dataset_loads(tmp_path: Path) -> None:
    tables = synth_dataset(80, 3)
    write_dataset(tables, tmp_path / "ds", xlsx=tmp_path / "ds.xlsx")
    assert (tmp_path / "ds" / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for source in (tmp_path / "ds", tmp_path / "ds.xlsx"):
        ds = load_dataset(source)
        assert len(ds.projects) == 80
        assert len(ds.evaluations) == len(tables["evaluations"])


def test_csv_round_trips(tmp_path: Path) -> None:
    tables = synth_dataset(40, 9)
    write_dataset(tables, tmp_path)
    for name, frame in tables.items():
        text_columns = {
            c: str for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
        }
        back = pd.read_csv(
            tmp_path / f"{name}.csv",
            dtype=text_columns,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    text = (tmp_path / "projects.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r"\d\.0(,|$)", text, re.MULTILINE)  # whole yuan without ".0"


def test_cli_synth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "模拟"
    assert (
        main(
            ["synth", "--projects", "30", "--seed", "4", "--out", str(out), "--years", "2020-2021"]
        )
        == 0
    )
    assert "已生成模拟数据集" in capsys.readouterr().out
    years = pd.read_csv(out / "projects.csv", encoding="utf-8-sig")["year"]
    assert set(years) <= {2020, 2021}
    assert (
        main(
            ["synth", "--projects", "30", "--seed", "4", "--out", str(out), "--years", "2021-2019"]
        )
        == 2
    )
    assert "不是有效的年度范围" in capsys.readouterr().err


def read_csv_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_sample_data_regenerates_identically(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in TABLE_COLUMNS:
        committed = SAMPLE / "demo" / f"{name}.csv"
        assert (tmp_path / "demo" / f"{name}.csv").read_bytes() == committed.read_bytes(), name
        for book in (SAMPLE / "demo.xlsx", tmp_path / "demo.xlsx"):
            sheet = pd.read_excel(book, sheet_name=name, dtype=str, keep_default_na=False)
            pd.testing.assert_frame_equal(sheet, read_csv_text(committed), check_dtype=False)


def test_demo_has_what_the_demo_needs() -> None:
    projects = read_csv_text(SAMPLE / "demo" / "projects.csv")
    units = read_csv_text(SAMPLE / "demo" / "units.csv")
    ev = read_csv_text(SAMPLE / "demo" / "evaluations.csv")
    assert len(projects) == 60
    assert set(CATEGORY_CODES) <= set(projects["category"])
    assert units["level"].value_counts().to_dict() == {
        "province": 1,
        "city": 4,
        "industry": 2,
        "county": 4,
    }
    reviewed = set(ev.loc[ev["round"] == "review", "project_id"])
    # exactly the re-evaluation sample jxkit demo draws: one 2021 project per category
    assert len(reviewed) == 10 and all(pid.startswith("XM2021") for pid in reviewed)
    assert ev["evidence"].str.contains(r"\d{17}[\dX]").any()
    assert re.search(r"2020年", " ".join(projects["name"]))
