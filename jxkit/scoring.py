"""Scoring: indicator values → indicator scores → project totals, grades and red lights.

Pure and vectorised: every indicator row of every project is scored in one pass per
(rule, parameters) group, never a Python loop per row. A project is scored in a round
(``self`` or ``review``) only if that round has values for it. Scores are
criterion-referenced: a project's score never depends on other projects.

Totals: Σ scores / Σ applicable points × 100 (an indicator valued 不适用 is removed and
its points spread over the others in proportion), rounded half-up to 2 decimals; the
grade comes from the rounded total by the policy's half-open bands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .catalogue import NA_WORDS
from .dataset import Dataset, row_of
from .errors import Problem, ScoringError
from .labels import ROUND_NAMES
from .policy import Policy, default_policy
from .rounding import apportion, round_half_up, wan
from .rules import DEFAULT_GRADE_LEVELS, Batch, get_rule
from .text import blank, contains, factorize, shared_codes, stripped, to_number

__all__ = ["PROJECT_COLUMNS", "ScoreResult", "score"]

#: Leading columns of the per-project result (the contract of ``jxkit score``).
PROJECT_COLUMNS = [
    "project_id",
    "unit_id",
    "year",
    "category",
    "round",
    "total",
    "grade",
    "red_light",
]

ROUNDS = ("self", "review")
#: Free-text columns no total, grade or flag reads: ``jxkit score`` leaves them unread.
UNUSED_TEXT = ("evidence", "unit_of_measure")
#: Rules whose value is read as text (see :class:`jxkit.rules.Rule`).
_TEXT_VALUES = frozenset({"label", "boolean"})
_NA = frozenset(w.lower() for w in NA_WORDS)
_POSITIVE_RULES = ("ratio", "bands")


@dataclass
class ScoreResult:
    """Scores of a dataset: one row per project and round, and the per-indicator breakdown.

    ``projects`` has :data:`PROJECT_COLUMNS`, then ``flags`` (the red flags of practice,
    joined with "；") and one subtotal column per first-level indicator (scaled like the
    total and apportioned by :func:`jxkit.rounding.apportion`, so they add up to it exactly). ``indicators`` has, per indicator row: target,
    actual, rule, params, points, applicable, score, lost, evidence, note, flag; it is
    built on first use, so a job that needs the totals alone does not pay for it.
    """

    projects: pd.DataFrame
    level1: list[str]
    settings: dict[str, Any] = field(default_factory=dict)
    #: with ``skip_invalid``: projects and rounds left out, and why (columns project_id,
    #: round, problems — a list of messages)
    skipped: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["project_id", "round", "problems"])
    )
    breakdown_rows: Callable[[], pd.DataFrame] = field(default=pd.DataFrame, repr=False)
    _indicators: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def indicators(self) -> pd.DataFrame:
        """Every scored indicator row of every project and round (see the class note)."""
        if self._indicators is None:
            self._indicators = self.breakdown_rows()
        return self._indicators

    def problems_of(self, project_id: str, round: str) -> list[str]:
        """Why a project could not be scored in a round (empty when it was scored)."""
        s = self.skipped
        hit = s[(s["project_id"] == project_id) & (s["round"] == round)]
        return list(hit["problems"].iloc[0]) if len(hit) else []

    def project(self, project_id: str, round: str = "self") -> pd.Series:
        """The result row of one project in one round."""
        rows = self.projects[
            (self.projects["project_id"] == project_id) & (self.projects["round"] == round)
        ]
        if rows.empty:
            raise ScoringError(
                f"项目 {project_id} 在{ROUND_NAMES.get(round, round)}轮次中没有评分结果"
            )
        return rows.iloc[0]

    def level1_table(self, project_id: str, round: str = "self") -> pd.DataFrame:
        """The first-level table shown beside a project's total, last row 合计.

        Columns level1, points, score, lost, rate. Scores are the subtotals of
        :attr:`projects` (apportioned, adding up to the total). Without 不适用 indicators
        the points are as the framework gives them and lost = points − score. With them
        every figure is converted to 100 points: lost is the exact converted loss
        apportioned to 100 − total, points = score + lost (adding up to 100), so no score
        stands above its points and no converted score stands beside raw points;
        ``attrs["conversion"]`` then holds the conversion (:meth:`conversions`).
        A first-level indicator with nothing applicable shows NaN score and 0 points.
        """
        r = self.project(project_id, round)
        rows = self._rows_of(project_id, round)  # the breakdown without its reasons
        app = rows["applicable"].to_numpy(bool)
        names = list(dict.fromkeys(rows["level1"]))
        group = rows["level1"].map({n: i for i, n in enumerate(names)}).to_numpy()
        points = np.bincount(group, weights=rows["points"], minlength=len(names))
        app_points = np.bincount(
            group, weights=np.where(app, rows["points"], 0.0), minlength=len(names)
        )
        earned = np.bincount(group, weights=np.where(app, rows["score"], 0.0), minlength=len(names))
        score = np.array([r.get(n, np.nan) for n in names], dtype=float)
        total = float(r["total"])
        converted = not app.all()
        if converted:
            scale = 100.0 / app_points.sum()
            exact_lost = np.where(app_points > 0, (app_points - earned) * scale, np.nan)
            lost = apportion(exact_lost[None, :], np.round([100.0 - total], 2))[0]
            shown_points = np.where(app_points > 0, np.nan_to_num(score) + lost, 0.0)
        else:
            shown_points = points
            lost = np.round(points - score, 2)
        table = pd.DataFrame(
            {"level1": names, "points": np.round(shown_points, 2), "score": score, "lost": lost}
        )
        table.loc[len(table)] = [
            "合计",
            float(np.round(np.nansum(shown_points), 2)),
            total,
            float(np.round(np.nansum(lost), 2)),
        ]
        with np.errstate(divide="ignore", invalid="ignore"):
            table["rate"] = np.where(table["points"] > 0, table["score"] / table["points"], np.nan)
        if converted:
            table.attrs["conversion"] = self.conversions(project_id, round).iloc[0].to_dict()
        return table

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook ``jxkit score --out 得分.xlsx`` writes: the scores, and where
        不适用 indicators were removed, how those projects' figures were converted."""
        out = {"项目得分": self.projects}
        conversions = self.conversions()
        if len(conversions):
            out["不适用折算"] = conversions
        return out

    def conversions(self, project_id: str | None = None, round: str | None = None) -> pd.DataFrame:
        """Projects and rounds scored with 不适用 indicators removed, and how they were converted.

        Columns project_id, round, removed (the 不适用 indicators' names, joined with "、"),
        removed_points, applicable_points, factor (100 / applicable points, 4 decimals).
        """
        ind = self.indicators
        if project_id is not None:
            ind = ind[ind["project_id"] == project_id]
        if round is not None:
            ind = ind[ind["round"] == round]
        na = ind[~ind["applicable"].astype(bool)]
        columns = [
            "project_id",
            "round",
            "removed",
            "removed_points",
            "applicable_points",
            "factor",
        ]
        if na.empty:
            return pd.DataFrame(columns=columns)
        keys = ["project_id", "round"]
        app = ind[ind["applicable"].astype(bool)].groupby(keys, sort=True)["points"].sum()
        out = na.groupby(keys, sort=True).agg(
            removed=("name", lambda x: "、".join(map(str, x))), removed_points=("points", "sum")
        )
        out["applicable_points"] = app.reindex(out.index).fillna(0.0)
        out["factor"] = round_half_up(100.0 / out["applicable_points"], 4)
        return out.reset_index()[columns]

    def breakdown(self, project_id: str, round: str = "self") -> pd.DataFrame:
        """Every indicator of one project with its score, points lost and why."""
        self.project(project_id, round)
        rows = self._rows_of(project_id, round).copy()
        rows["reason"] = [explain(r) for r in rows.itertuples(index=False)]
        return rows.reset_index(drop=True)

    def _rows_of(self, project_id: str, round: str) -> pd.DataFrame:
        ind = self.indicators
        return ind[(ind["project_id"] == project_id) & (ind["round"] == round)]


def score(
    dataset: Dataset,
    round: str | None = None,
    *,
    year: int | None = None,
    policy: Policy | None = None,
    skip_invalid: bool = False,
) -> ScoreResult:
    """Score every project of ``dataset`` in ``round`` (both rounds when None).

    Raises one :class:`ScoringError` listing every value that cannot be scored (missing
    where one is needed, a label not in the levels, target 0 for a ratio …), each naming
    project, indicator and the row of the evaluations table. With ``skip_invalid`` those
    projects are left out instead and listed in ``ScoreResult.skipped`` (a batch of
    reports must not stop because one project is incomplete).
    """
    policy = policy or default_policy()
    rows = _Rows.join(dataset, ROUNDS if round is None else (round,), year)
    bad = _score_rows(rows)
    if bad and not skip_invalid:
        raise ScoringError([p for _, p in bad], title="以下完成值无法评分")
    skipped = rows.leave_out(bad)
    _flag_rows(rows, policy)
    empty: list[tuple[int, Problem]] = []
    projects, level1 = _totals(rows, policy, empty)
    if empty and not skip_invalid:
        raise ScoringError([p for _, p in empty], title="以下项目无法评分")
    if empty:
        more = rows.leave_out(empty)
        keys = set(zip(more["project_id"], more["round"], strict=True))
        kept = [
            (p, r) not in keys
            for p, r in zip(projects["project_id"], projects["round"], strict=True)
        ]
        projects = projects[kept].reset_index(drop=True)
        skipped = pd.concat([skipped, more], ignore_index=True)
    settings = {
        "round": round or "self+review",
        "year": year,
        "policy": policy.source,
        "jxkit": __version__,
    }
    return ScoreResult(projects, level1, settings, skipped, rows.frame)


def _codes(*columns: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the values of several columns read as one (shared uniques)."""
    parts, uniques = shared_codes(*columns)
    return np.concatenate(parts), uniques


def _take(values: pd.Series, at: np.ndarray, blank: Any = "") -> pd.Series:
    """``values`` at positions ``at``; ``blank`` where ``at`` is -1."""
    if not len(at):
        return values.iloc[:0].reset_index(drop=True)
    if (at >= 0).all():
        return values.iloc[at].reset_index(drop=True)
    ext = pd.concat([values, pd.Series([blank], dtype=values.dtype)], ignore_index=True)
    return ext.iloc[np.where(at >= 0, at, len(values))].reset_index(drop=True)


@dataclass
class _Rows:
    """The indicator rows scored, one per (indicator row, round), as columns of arrays.

    Positions point into the dataset's indicators (``ind``) and evaluations (``ev``, -1
    when a row has no value) so that no text is copied until a breakdown is asked for.
    Keys are integer codes shared by both tables: on millions of rows joining on them is
    several times faster than a merge on text.
    """

    dataset: Dataset
    ind: pd.DataFrame
    ev: pd.DataFrame
    projects: pd.DataFrame
    at_ind: np.ndarray
    at_ev: np.ndarray
    round: np.ndarray  # position in ``labels``
    project: np.ndarray  # project code (shared by ind and ev)
    at_project: np.ndarray  # position in ``projects``
    labels: tuple[str, ...] = ROUNDS
    project_ids: pd.Index = field(default_factory=lambda: pd.Index([]))  # by project code
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def join(cls, dataset: Dataset, rounds: tuple[str, ...], year: int | None) -> _Rows:
        # shallow copies: with copy-on-write a later edit of the dataset leaves these as
        # they are, and the breakdown built later still reads what was scored
        projects = dataset.projects.copy(deep=False)
        if year is not None:
            projects = projects[projects["year"] == year]
        ind, ev = dataset.indicators.copy(deep=False), dataset.evaluations.copy(deep=False)
        n_ind = len(ind)
        p_codes, p_uniques = _codes(ind["project_id"], ev["project_id"])
        ind_p, ev_p = p_codes[:n_ind], p_codes[n_ind:]
        project_pos = pd.Index(projects["project_id"]).get_indexer(p_uniques)  # -1: not scored
        sels, evs, codes = [], [], []
        # the indicator row of each evaluation row, once for all rounds and shared with the
        # checks of load_dataset; a hand-made frame with repeated keys takes the slow road
        ind_of_ev, unique = row_of(ev, ["project_id", "indicator_id"], ind)
        if not unique:
            i_codes, i_uniques = _codes(ind["indicator_id"], ev["indicator_id"])
            key = p_codes.astype(np.int64) * max(len(i_uniques), 1) + i_codes
            ind_key, ev_key = key[:n_ind], key[n_ind:]
        for code, r in enumerate(rounds):
            in_round = np.flatnonzero(np.asarray(ev["round"] == r, dtype=bool))
            valued = np.zeros(len(p_uniques), dtype=bool)
            valued[ev_p[in_round]] = True
            sel = np.flatnonzero(valued[ind_p] & (project_pos[ind_p] >= 0))
            sels.append(sel)
            if not unique:
                evs.append(_lookup(ev_key[in_round], in_round, ind_key[sel]))
            else:
                evs.append(_first_value(ind_of_ev, in_round, n_ind)[sel])
            codes.append(np.full(len(sel), code, dtype=np.int8))
        # positions as int32: millions of rows, each array half the memory
        small = np.int32 if max(n_ind, len(ev), len(p_uniques)) < 2**31 else np.int64
        at_ind = np.concatenate(sels).astype(small) if sels else np.array([], dtype=small)
        project = ind_p[at_ind].astype(small)
        return cls(
            dataset,
            ind,
            ev,
            projects,
            at_ind,
            np.concatenate(evs).astype(small) if evs else np.array([], dtype=small),
            np.concatenate(codes) if codes else np.array([], dtype=np.int8),
            project,
            project_pos[project].astype(small),
            tuple(rounds),
            p_uniques,
        )

    def __len__(self) -> int:
        return len(self.at_ind)

    def of_ind(self, values: np.ndarray) -> np.ndarray:
        """A per-indicator-row array, for the rows scored."""
        return values[self.at_ind]

    def fact(self, column: str) -> np.ndarray:
        return self.projects[column].to_numpy()[self.at_project]

    def group(self) -> np.ndarray:
        """Project-and-round of each row, as a code below ``len(projects) × len(labels)``."""
        return self.project * len(self.labels) + self.round

    def round_label(self, pos: int | np.ndarray | slice) -> Any:
        return np.asarray(self.labels, dtype=object)[self.round[pos]]

    def keep(self, mask: np.ndarray) -> None:
        for name in ("at_ind", "at_ev", "round", "project", "at_project"):
            setattr(self, name, getattr(self, name)[mask])
        self.values = {k: v[mask] for k, v in self.values.items()}

    def leave_out(self, bad: list[tuple[int, Problem]]) -> pd.DataFrame:
        """Drop the projects and rounds that have problems; return them and their problems."""
        found: dict[tuple[str, str], list[str]] = {}
        groups: set[int] = set()
        group = self.group()
        pid = self.ind["project_id"]
        for pos, problem in bad:
            key = (str(pid.iat[self.at_ind[pos]]), str(self.round_label(pos)))
            found.setdefault(key, []).append(str(problem))
            groups.add(int(group[pos]))
        skipped = pd.DataFrame(
            [(p, r, msgs) for (p, r), msgs in sorted(found.items())],
            columns=["project_id", "round", "problems"],
        )
        if found:
            self.keep(~np.isin(group, list(groups)))
        return skipped

    def frame(self) -> pd.DataFrame:
        """The breakdown as a table (see :class:`ScoreResult`)."""
        ind, ev, v = self.ind, self.ev, self.values
        rows = ind.iloc[self.at_ind].reset_index().rename(columns={"row": "indicator_row"})
        rows["target_value"] = v["target_value"]
        rows.insert(1, "round", self.round_label(slice(None)))
        for col in ("actual", "evidence", "note"):
            rows[col] = _take(ev[col], self.at_ev).to_numpy(object)
        rows["evaluation_row"] = np.where(
            self.at_ev >= 0,
            ev.index.to_numpy()[np.maximum(self.at_ev, 0)] if len(ev) else 0,
            np.nan,
        )
        for col in ("unit_id", "year", "category", "budget", "spent"):
            rows[col] = self.fact(col) if len(self) else self.projects[col].to_numpy()[:0]
        for col in ("applicable", "score"):
            rows[col] = v[col]
        rows["lost"] = np.where(v["applicable"], v["points"] - v["score"], 0.0)
        for col in ("actual_value", "target_value"):
            rows[col] = v[col]
        rows["flag"] = np.asarray(v["flag_texts"], dtype=object)[v["flag"]]
        return rows


def _first_value(ind_of_ev: np.ndarray, in_round: np.ndarray, n_ind: int) -> np.ndarray:
    """Per indicator row, its first evaluation row among ``in_round`` (-1 when none)."""
    hit = in_round[ind_of_ev[in_round] >= 0]
    target = ind_of_ev[hit]
    counts = np.bincount(target, minlength=n_ind)
    if len(target) and int(counts.max()) > 1:  # repeated values: load_dataset reports them
        target, first = np.unique(target, return_index=True)
        hit = hit[first]
    out = np.full(n_ind, -1, dtype=np.int64)
    out[target] = hit
    return out


def _lookup(keys: np.ndarray, at: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key, ``at`` of the first equal key in ``keys`` (-1 when none)."""
    lookup = pd.Index(keys)
    if not lookup.is_unique:  # load_dataset reports duplicates; keep the first here
        keep = ~lookup.duplicated()
        lookup, at = lookup[keep], at[keep]
    match = lookup.get_indexer(wanted)
    return np.where(match >= 0, at[np.maximum(match, 0)], -1)


def _groups(codes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Each distinct code with the positions holding it, in code order.

    A stable sort of small integer codes is a radix sort in numpy: linear, and no hashing.
    """
    if not len(codes):
        return []
    if int(codes.max()) >= 2**16:  # renumber first (order kept) so the sort stays a radix sort
        distinct, codes = np.unique(codes, return_inverse=True)
        return [(int(distinct[g]), where) for g, where in _groups(codes.astype(np.int64))]
    order = np.argsort(codes.astype(np.uint16), kind="stable")
    counts = np.bincount(codes)
    ends = np.cumsum(counts)
    return [(int(g), order[ends[g] - counts[g] : ends[g]]) for g in np.flatnonzero(counts)]


def _per_value(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a column and its distinct values as stripped text."""
    codes, uniques = factorize(values)
    return codes, np.array([stripped(v) for v in np.asarray(uniques, dtype=object)], dtype=object)


def _no_text(n: int) -> np.ndarray:
    """The label column of a batch whose rule reads numbers only (see Batch)."""
    return np.full(n, None, dtype=object)


def _score_rows(rows: _Rows) -> list[tuple[int, Problem]]:
    """Score every row, per (rule, parameters) group; return the rows that cannot be scored."""
    ind, ev = rows.ind, rows.ev
    problems: list[tuple[int, Problem]] = []
    # each distinct value is read once: its text, whether it is 不适用, and its number
    a_codes, a_texts = _per_value(ev["actual"])
    a_texts = np.append(a_texts, "")  # the code of rows without a value
    a_codes = np.append(a_codes, len(a_texts) - 1)[rows.at_ev]
    blank = (a_texts == "")[a_codes]
    applicable = ~np.array([t.lower() in _NA for t in a_texts], dtype=bool)[a_codes]
    actual_v = to_number(a_texts, decorated=True)[0][a_codes]
    target_v = rows.of_ind(to_number(ind["target"], decorated=True)[0])
    score = np.full(len(rows), np.nan)
    source = rows.dataset.sources.get("evaluations", "评价表")
    points = rows.of_ind(ind["points"].to_numpy(float))
    # project facts stay per project; each batch takes its rows' values
    budget = rows.projects["budget"].to_numpy(float)
    spent = rows.projects["spent"].to_numpy(float)
    rule_codes, rule_names = _per_value(ind["rule"])
    param_codes, param_texts = _per_value(ind["params"])
    group = rows.of_ind(rule_codes.astype(np.int64) * max(len(param_texts), 1) + param_codes)
    n_params = max(len(param_texts), 1)
    # in the order of the rule and parameter texts, so messages come in a stable order
    by_text = sorted(
        _groups(group),
        key=lambda gw: (rule_names[gw[0] // n_params], param_texts[gw[0] % n_params]),
    )
    for g, where in by_text:
        rule_name, params_text = rule_names[g // n_params], param_texts[g % n_params]
        rule = get_rule(rule_name)
        if rule is None:  # load_dataset has reported it; here only a guard for hand-made frames
            continue
        params = json.loads(params_text) if params_text else {}
        needed = rule.value != "none"
        missing = blank[where] if needed else np.zeros(len(where), dtype=bool)
        live = where[applicable[where] & ~missing]
        for pos in where[missing]:
            problems.append(
                _problem(
                    rows, pos, source, f"缺少{ROUND_NAMES.get(rows.round_label(pos), '')}完成值"
                )
            )
        if len(live) == 0:
            continue
        batch = Batch(
            points[live],
            target_v[live],
            actual_v[live],
            # text only for rules that read it (a label or yes/no): numbers need none
            a_texts[a_codes[live]] if rule.value in _TEXT_VALUES else _no_text(len(live)),
            budget[rows.at_project[live]],
            spent[rows.at_project[live]],
            params,
        )
        outcome = rule.scorer(batch)
        score[live] = outcome.score
        for mask, reason in outcome.invalid:
            for pos in live[mask]:
                problems.append(_problem(rows, pos, source, reason))
    score = np.where(applicable, score, 0.0)
    rows.values.update(
        applicable=applicable,
        score=score,
        points=points,
        actual_value=actual_v,
        target_value=target_v,
    )
    return problems


def _problem(rows: _Rows, pos: int, source: str, reason: str) -> tuple[int, Problem]:
    i, e = int(rows.at_ind[pos]), int(rows.at_ev[pos])
    ind = rows.ind
    text = f"项目 {ind['project_id'].iat[i]} 指标 {ind['indicator_id'].iat[i]}（{ind['name'].iat[i]}）{reason}"
    actual = str(rows.ev["actual"].iat[e]) if e >= 0 else ""
    at = rows.ev.index[e] if e >= 0 else None
    row = None if at is None or pd.isna(at) else int(at)  # values computed, not typed, have none
    return int(pos), Problem(source, text, row, "actual", actual or None)


def _flag_rows(rows: _Rows, policy: Policy) -> None:
    """Red flags of practice on single indicators (domain.md, "Practice")."""
    ind, ev = rows.ind, rows.ev
    positive = rows.of_ind(ind["rule"].isin(_POSITIVE_RULES).to_numpy(bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = rows.values["actual_value"] / rows.values["target_value"]
    # rows without an evaluation have no reason given either
    blank_note = np.append(blank(ev["note"]), True)[np.where(rows.at_ev >= 0, rows.at_ev, len(ev))]
    overrun = positive & (completion >= policy.overrun_ratio) & blank_note
    overrun_text = f"完成值超过指标值 {policy.overrun_ratio:.0%} 以上，未说明偏差原因"
    cost_text = "成本类指标按正向方法计分"
    words = list(policy.cost_words)
    cost = rows.of_ind(contains(ind["name"], words) | contains(ind["level2"], words))
    cost &= positive
    # 0: none, 1: overrun, 2: cost, 3: both
    rows.values["flag"] = overrun.astype(np.int8) + 2 * cost.astype(np.int8)
    rows.values["flag_texts"] = np.array(
        ["", overrun_text, cost_text, f"{overrun_text}；{cost_text}"], dtype=object
    )


def _totals(
    rows: _Rows, policy: Policy, problems: list[tuple[int, Problem]]
) -> tuple[pd.DataFrame, list[str]]:
    """Totals, grades and subtotals per project and round, summed with np.bincount."""
    # groups numbered by project code and round: no hashing, the codes are small
    code = rows.group()
    present = np.zeros(int(code.max()) + 1 if len(code) else 0, dtype=bool)
    present[code] = True
    group = (np.cumsum(present) - 1)[code]
    n = int(np.count_nonzero(present))
    first = np.zeros(n, dtype=np.int64)
    first[group] = np.arange(len(group))  # any row of a group stands for it
    v = rows.values
    applicable = v["applicable"]
    score_app = np.where(applicable, v["score"], 0.0)
    earned = np.bincount(group, weights=score_app, minlength=n)
    app_points = np.bincount(group, weights=np.where(applicable, v["points"], 0.0), minlength=n)
    full = (v["points"] - v["score"] <= 1e-9) | ~applicable
    all_full = np.bincount(group, weights=~full, minlength=n) == 0
    # groups in the order of the result: by project id, then self before review
    id_rank = np.empty(len(rows.project_ids), dtype=np.int64)
    id_rank[np.asarray(rows.project_ids.argsort())] = np.arange(len(rows.project_ids))
    round_rank = np.array([ROUNDS.index(r) if r in ROUNDS else len(ROUNDS) for r in rows.labels])
    order = np.lexsort((round_rank[rows.round[first]], id_rank[rows.project[first]]))
    at = first[order]
    out = pd.DataFrame(
        {
            "project_id": rows.project_ids[rows.project[at]].to_numpy(object) if n else [],
            "round": rows.round_label(at),
            **{
                c: rows.projects[c].to_numpy()[rows.at_project[at]]
                for c in ("unit_id", "year", "category")
            },
        }
    )
    if not n:
        out = out.astype({c: rows.projects[c].dtype for c in ("unit_id", "year", "category")})
    for g in np.flatnonzero(app_points[order] <= 0):
        p, r = out["project_id"].iat[g], out["round"].iat[g]
        message = f"项目 {p} 的{ROUND_NAMES[r]}指标全部为不适用，无法评分"
        problems.append(
            (int(at[g]), Problem(rows.dataset.sources.get("evaluations", "评价表"), message))
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(app_points > 0, 100.0 / app_points, np.nan)
    total = round_half_up(earned * scale)
    l1_codes, l1_names = factorize(rows.ind["level1"])
    scored = l1_codes[rows.at_ind]
    seen = pd.unique(scored)  # first-level names in the order the scored rows bring them
    level1 = [str(l1_names[c]) for c in seen]
    remap = np.zeros(len(l1_names), dtype=np.int64)
    remap[seen] = np.arange(len(seen))
    l1 = remap[scored]
    flat = group * len(level1) + l1
    size = n * len(level1)
    sums = np.bincount(flat, weights=score_app, minlength=size).reshape(n, len(level1))
    counts = np.bincount(flat, weights=applicable, minlength=size).reshape(n, len(level1))
    exact = np.where(counts > 0, sums * scale[:, None], np.nan)
    # subtotals add up to the shown total (jxkit.rounding): floored, then largest remainders
    sub = apportion(exact, np.where(np.isnan(total), 0.0, total))[order]
    out["total"] = total[order]
    out["grade"] = policy.grade(out["total"].to_numpy())
    out["red_light"] = np.isin(out["grade"], list(policy.red_light_grades))
    out["flags"] = _project_flags(group, all_full, rows)[order]
    out = pd.concat([out, pd.DataFrame(sub, columns=level1)], axis=1)
    return out[[*PROJECT_COLUMNS, "flags", *level1]], level1


def _project_flags(group: np.ndarray, all_full: np.ndarray, rows: _Rows) -> np.ndarray:
    """Per group: 全部指标均为满分 and the flagged indicators, joined with "；"."""
    out = np.where(all_full, "全部指标均为满分", "").astype(object)
    flags, texts = rows.values["flag"], rows.values["flag_texts"]
    flagged = np.flatnonzero(flags)
    if not len(flagged):
        return out
    codes, uniques = factorize(rows.ind["name"])  # a take from codes: no text copied
    names = uniques[codes[rows.at_ind[flagged]]].tolist()
    parts: dict[int, list[str]] = {}
    for g, name, f in zip(group[flagged].tolist(), names, flags[flagged].tolist(), strict=True):
        parts.setdefault(g, [out[g]] if out[g] else []).append(f"{name}：{texts[f]}")
    for g, items in parts.items():
        out[g] = "；".join(items)
    return out


# ----------------------------------------------------------------------------- explaining


def _num(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if np.isfinite(x) else "—"


def explain(r: Any) -> str:
    """Why an indicator lost points, in plain Chinese (empty when it lost none)."""
    if not r.applicable:
        return "不适用，已剔除，其分值按比例分摊到其他指标"
    if r.lost <= 1e-9:
        return ""
    params = json.loads(r.params) if r.params else {}
    a, t = r.actual_value, r.target_value
    lost = f"扣 {_num(r.lost)} 分"
    match r.rule:
        case "execution_rate":
            rate = r.spent / r.budget if r.budget else 0.0
            return f"预算执行率 {rate:.1%}（执行 {wan(r.spent)} / 预算 {wan(r.budget)}），{lost}"
        case "ratio" | "bands":
            return f"完成值 {_num(a)} 未达到指标值 {_num(t)}（完成率 {a / t:.1%}），{lost}"
        case "inverse" | "inverse_linear":
            return f"完成值 {_num(a)} 超过指标值 {_num(t)}（反向指标），{lost}"
        case "equal_zero":
            return f"发生 {_num(a)} 起（应为 0），{lost}"
        case "deduction":
            return f"发现问题 {_num(a)} 个，每个扣 {_num(params.get('per_item', 1))} 分，{lost}"
        case "grade":
            levels = params.get("levels", DEFAULT_GRADE_LEVELS)
            return (
                f"评定为“{r.actual}”（得分比例 {levels.get(str(r.actual).strip(), 0):.0%}），{lost}"
            )
        case "boolean":
            return f"未达成（{r.actual}），{lost}"
        case "interval":
            return f"完成值 {_num(a)} 不在合理区间 [{_num(params['low'])}, {_num(params['high'])}] 内，{lost}"
    return lost
