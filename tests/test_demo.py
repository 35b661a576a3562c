"""The demo's story holds together: its re-evaluation sample is exactly what was reviewed."""

from __future__ import annotations

from conftest import REPO

from jxkit.cli.report import DEMO_N, DEMO_SEED, DEMO_WHERE
from jxkit.dataset import load_dataset
from jxkit.sampling import draw

DEMO = REPO / "sample_data" / "demo"


def test_filter_on_yes_no_columns_of_a_loaded_dataset() -> None:
    ds = load_dataset(DEMO)
    sample = draw(ds.projects, seed="x", rate=1, where="year=2021,self_evaluated=是")
    p = ds.projects.set_index("project_id").loc[list(sample.selected["id"])]
    assert (p["year"] == 2021).all() and p["self_evaluated"].all()
    expected = ds.projects[
        (ds.projects["year"] == 2021) & ds.projects["self_evaluated"].fillna(False)
    ]
    assert len(sample.selected) == len(expected)
    others = draw(ds.projects, seed="x", rate=1, where="year=2021,self_evaluated!=是")
    assert not set(others.selected["id"]) & set(sample.selected["id"])


def test_demo_sample_is_what_the_demo_data_reviewed() -> None:
    ds = load_dataset(DEMO)
    sample = draw(ds.projects, seed=DEMO_SEED, n=DEMO_N, strata="category", where=DEMO_WHERE)
    ev = ds.evaluations
    assert set(sample.selected["id"]) == set(ev.loc[ev["round"] == "review", "project_id"])
