"""Unit-level evaluation (单位整体绩效评价): units scored on six dimensions, one row per unit-year.

A unit brings its indicators for a year (``unit_indicators`` 单位指标, usually the shipped
``unit`` framework with its own targets and weights) and their values
(``unit_evaluations`` 单位评价). Scoring reuses :func:`jxkit.scoring.score` unchanged: each
unit-year is presented to it as if it were a project (:func:`score_view`), so rules,
不适用 redistribution, rounding, grades and messages are exactly those of projects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .dataset import UNIT_DIMENSIONS, Collector, Dataset, optional_table, unknown
from .dataset.checks import rules_and_params
from .errors import Problem, ScoringError
from .policy import Policy, default_policy
from .rounding import round_half_up
from .scoring import ScoreResult, score

__all__ = ["UNIT_DIMENSIONS", "UnitScores", "check_tables", "score_view", "unit_scores"]

#: Leading columns of :attr:`UnitScores.units` (the contract of ``jxkit score --units``).
UNIT_COLUMNS = ["unit_id", "name", "level", "year", "round"]


def _key(unit_id: pd.Series, year: pd.Series) -> pd.Series:
    """The id a unit-year takes when scored as a project."""
    return unit_id.astype(str) + "/" + year.astype("Int64").astype(str)


def _self_when_blank(rounds: pd.Series) -> pd.Series:
    """A unit evaluation without a round is a self-evaluation."""
    return rounds.where(rounds != "", "self")


def check_tables(ds: Dataset, out: dict[str, Collector]) -> None:
    """The unit tables: known units and indicators, points 100 per unit-year, sound rules."""
    ui, ue = ds.table("unit_indicators"), ds.table("unit_evaluations")
    if not ui.empty:
        unknown(ui, ["unit_id"], ds.units, out["unit_indicators"], "单位编码在单位表中不存在")
        c = out["unit_indicators"]
        c.rows(ui, ui["points"] < 0, "points", "分值不能为负数")
        keyed = ui.assign(project_id=_key(ui["unit_id"], ui["year"]))
        totals = keyed.groupby("project_id", sort=True)["points"].agg(["sum", "count"])
        unreadable = keyed["points"].isna().groupby(keyed["project_id"]).any()
        first_row = keyed.reset_index().groupby("project_id")["row"].min()
        for key, total in totals["sum"][((totals["sum"] - 100).abs() > 1e-6) & ~unreadable].items():
            unit_id, year = str(key).rsplit("/", 1)
            c.problems.append(
                Problem(
                    c.source,
                    f"单位 {unit_id} {year} 年的指标分值合计为 {total:g}，应为 100",
                    int(first_row[key]),
                    c.col("points"),
                )
            )
        # the project-indicator check of rules and parameters, on the unit-year view
        rules_and_params(Dataset(ds.path, {"indicators": keyed}), {"indicators": c})
    if not ue.empty:
        key = ["unit_id", "year", "indicator_id"]
        as_self = ue.assign(round=_self_when_blank(ue["round"]))
        clash = as_self.duplicated([*key, "round"]) & ~ue.duplicated([*key, "round"])
        out["unit_evaluations"].rows(ue, clash, "round", "轮次为空即为自评，与同一指标的自评行重复")
        unknown(
            ue,
            ["unit_id", "year", "indicator_id"],
            ui,
            out["unit_evaluations"],
            "单位指标表中没有这个单位、年度和指标编码",
        )


def score_view(
    subjects: pd.DataFrame,
    indicators: pd.DataFrame,
    evaluations: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    source: str,
    policy: Policy,
    round: str | None = None,
) -> ScoreResult:
    """Score anything shaped like projects (a unit-year, a union's year of work) with
    :func:`jxkit.scoring.score`.

    ``subjects`` has project_id (the subject's key), unit_id, year, category, budget and
    spent; ``indicators`` and ``evaluations`` have the columns of the dataset tables of the
    same names, indexed by the row of the user's file (NaN for computed rows). Problems
    name the subject by ``labels[key]`` (e.g. "单位 330100（2021 年）") instead of "项目 key".
    """
    empty = pd.DataFrame(columns=["unit_id", "name", "level", "parent_id", "region"])
    view = Dataset(
        Path("."),
        {
            "units": empty,
            "projects": subjects.reset_index(drop=True),
            "indicators": _rows(indicators),
            "evaluations": _rows(evaluations),
        },
        {"evaluations": source},
    )
    try:
        return score(view, round, policy=policy)
    except ScoringError as exc:
        raise ScoringError([_relabel(p, labels) for p in exc.problems], title=exc.title) from None


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.index.name = "row"
    return frame


def _relabel(problem: Problem, labels: Mapping[str, str]) -> Problem:
    for key, label in labels.items():
        prefix = f"项目 {key}"
        if problem.message.startswith(prefix):
            message = label + problem.message[len(prefix) :]
            return Problem(problem.source, message, problem.row, problem.column, problem.value)
    return problem


@dataclass
class UnitScores:
    """Unit-level scores: ``units`` one row per unit, year and round with the six dimension
    subtotals (scaled like the total, so they add up to it), total and grade; ``shares``
    the share of points earned per dimension (for radar charts); ``indicators`` the
    per-indicator breakdown."""

    units: pd.DataFrame
    shares: pd.DataFrame
    indicators: pd.DataFrame
    dimensions: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    #: the unit-years scored as projects (keys ``unit_id/year``)
    scores: ScoreResult | None = field(default=None, repr=False)

    def dimension_table(self, unit_id: str, year: int, round: str = "self") -> pd.DataFrame:
        """The dimension table shown beside a unit-year's total (see
        :meth:`jxkit.scoring.ScoreResult.level1_table`: subtotals add up to the total,
        converted to 100 points where 不适用 indicators were removed)."""
        if self.scores is None:
            raise ScoringError(f"单位 {unit_id} {year} 年没有单位整体评价结果")
        return self.scores.level1_table(
            str(_key(pd.Series([unit_id]), pd.Series([year]))[0]), round
        )

    def unit(self, unit_id: str, year: int, round: str = "self") -> pd.Series | None:
        """The row of one unit-year, or None when it was not evaluated."""
        u = self.units
        rows = u[(u["unit_id"] == unit_id) & (u["year"] == year) & (u["round"] == round)]
        return None if rows.empty else rows.iloc[0]


def unit_scores(
    dataset: Dataset,
    round: str | None = None,
    *,
    year: int | None = None,
    policy: Policy | None = None,
) -> UnitScores:
    """Score every unit-year that has values in ``unit_evaluations`` (blank round = self).

    Raises one :class:`ScoringError` listing every value that cannot be scored, each
    naming the unit, year, indicator and row of the unit evaluations table.
    """
    policy = policy or default_policy()
    ui = optional_table(dataset, "unit_indicators")
    ue = optional_table(dataset, "unit_evaluations")
    if year is not None:
        ui, ue = ui[ui["year"] == year], ue[ue["year"] == year]
    ui = ui.assign(project_id=_key(ui["unit_id"], ui["year"]))
    ue = ue.assign(
        project_id=_key(ue["unit_id"], ue["year"]),
        round=_self_when_blank(ue["round"]),
    )
    pairs = ui[["project_id", "unit_id", "year"]].drop_duplicates("project_id")
    subjects = pairs.assign(category="unit", budget=np.nan, spent=np.nan)
    names = dataset.units.set_index("unit_id")["name"]
    labels = {
        k: f"单位 {u}（{names.get(u, u)}，{y} 年）" for k, u, y in pairs.itertuples(index=False)
    }
    result = score_view(
        subjects,
        ui.drop(columns=["unit_id", "year"]),
        ue.drop(columns=["unit_id", "year"]),
        labels=labels,
        source=dataset.sources.get("unit_evaluations", "单位评价表"),
        policy=policy,
        round=round,
    )
    return _unit_frames(result, dataset, policy)


def _unit_frames(result: ScoreResult, dataset: Dataset, policy: Policy) -> UnitScores:
    extra = [d for d in result.level1 if d not in UNIT_DIMENSIONS]
    dimensions = [*UNIT_DIMENSIONS, *extra]
    p = result.projects.reindex(columns=[*result.projects.columns, *UNIT_DIMENSIONS])
    p = p.loc[:, ~p.columns.duplicated()]
    units = dataset.units.set_index("unit_id")[["name", "level"]]
    out = p[["unit_id", "year", "round"]].join(units, on="unit_id")
    out = pd.concat([out[UNIT_COLUMNS], p[[*dimensions, "total", "grade"]]], axis=1)
    out = out.sort_values(["unit_id", "year", "round"], kind="stable").reset_index(drop=True)
    ind = result.indicators
    app = ind[ind["applicable"]]
    g = app.groupby(["unit_id", "year", "round", "level1"], sort=False)
    shares = g.agg(points=("points", "sum"), earned=("score", "sum")).reset_index()
    shares["share"] = round_half_up(shares["earned"] / shares["points"], 4)
    shares = shares.rename(columns={"level1": "dimension"})
    settings = {**result.settings, "policy": policy.source}
    return UnitScores(out, shares, ind.reset_index(drop=True), dimensions, settings, result)
