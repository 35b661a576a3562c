"""Live scoring of one project while an assessor types, by the engine of ``jxkit score``.

Totals must equal what ``jxkit score`` computes from the saved file, so nothing here
re-implements a rule: each keystroke builds a one-project :class:`~jxkit.dataset.Dataset`
view with the values on screen and calls :func:`jxkit.scoring.score` on it. Values that
cannot be scored yet (blank, or invalid like text in a number) are set aside as 不适用 for
a second pass, so the other indicators still show their scores while the total waits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..catalogue import NA_WORDS
from ..dataset import Dataset
from ..errors import ScoringError
from ..policy import Policy
from ..rules import DEFAULT_GRADE_LEVELS, Rule, get_rule
from ..scoring import score

__all__ = ["NA", "IndicatorScore", "LiveScore", "ProjectScorer", "Values", "is_na"]

#: What the 不适用 switch writes into the value.
NA = "不适用"
_NA_LOWER = frozenset(w.lower() for w in NA_WORDS)


def is_na(text: str) -> bool:
    """True for the words the engine reads as 不适用 ("不适用", "N/A", "/" …)."""
    return text.strip().lower() in _NA_LOWER


@dataclass(frozen=True)
class Values:
    """What an assessor enters for one indicator in one round."""

    actual: str = ""
    evidence: str = ""
    note: str = ""

    def blank(self) -> bool:
        return not (self.actual.strip() or self.evidence.strip() or self.note.strip())


EMPTY = Values()


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's live result.

    ``status`` is "ok", "na" (不适用), "missing" (needs a value) or "invalid"; ``message``
    says why points were lost or what is wrong with the value; ``flag`` is a red flag
    of practice (e.g. a large overrun with no reason given).
    """

    indicator_id: str
    status: str
    score: float | None = None
    lost: float | None = None
    message: str = ""
    flag: str = ""


@dataclass(frozen=True)
class LiveScore:
    """A project's live result in one round; ``total`` is None until every value is valid."""

    project_id: str
    round: str
    indicators: dict[str, IndicatorScore]
    total: float | None = None
    grade: str | None = None
    red_light: bool = False
    flags: str = ""
    error: str = ""

    def count(self, status: str) -> int:
        """How many indicators have ``status`` (e.g. "missing"), for the messages."""
        return sum(1 for i in self.indicators.values() if i.status == status)

    @property
    def complete(self) -> bool:
        return self.total is not None


@dataclass(frozen=True)
class Indicator:
    """An indicator as the workbench shows it: its rule in plain Chinese and input kind."""

    indicator_id: str
    level1: str
    level2: str
    name: str
    points: float
    rule: str
    target: str
    unit: str
    params: dict[str, Any]
    description: str
    kind: str
    levels: tuple[str, ...]


class ProjectScorer:
    """One project's fixed parts, prepared once; :meth:`score` runs on every keystroke."""

    def __init__(self, dataset: Dataset, project_id: str, policy: Policy) -> None:
        self.dataset = dataset
        self.project_id = project_id
        self.policy = policy
        ind = dataset.indicators
        self._indicators = ind[ind["project_id"] == project_id]
        p = dataset.projects
        self._project = p[p["project_id"] == project_id]
        self.indicators = [_indicator(r) for r in self._indicators.itertuples(index=False)]
        self._by_id = {i.indicator_id: i for i in self.indicators}

    def score(self, round: str, values: Mapping[str, Values]) -> LiveScore:
        """Score ``values`` (by indicator id) as :func:`jxkit.scoring.score` would."""
        ids = [i.indicator_id for i in self.indicators]
        entered = [values.get(i, EMPTY) for i in ids]
        status = {
            i.indicator_id: (
                "na"
                if is_na(v.actual)
                else "missing"
                if i.kind != "none" and not v.actual.strip()
                else "ok"
            )
            for i, v in zip(self.indicators, entered, strict=True)
        }
        errors: dict[str, str] = {}
        result = None
        for _ in range(2):
            actual = [
                NA if status[i] == "missing" or i in errors else v.actual.strip()
                for i, v in zip(ids, entered, strict=True)
            ]
            try:
                result = score(self._view(round, ids, actual, entered), round, policy=self.policy)
                break
            except ScoringError as exc:
                found = self._problems(exc, ids)
                if not found:  # a project-level problem: nothing applicable is left
                    break
                errors.update(found)
        status.update(dict.fromkeys(errors, "invalid"))
        out: dict[str, IndicatorScore] = {}
        rows = _rows(result, self.project_id, round)
        for i in ids:
            r = rows.get(i)
            if status[i] in {"missing", "invalid"} or r is None:
                message = errors.get(i, "待填写" if status[i] == "missing" else "")
                out[i] = IndicatorScore(i, status[i], message=message)
                continue
            out[i] = IndicatorScore(
                i,
                status[i],
                None if status[i] == "na" else float(r["score"]),
                None if status[i] == "na" else float(r["lost"]),
                str(r["reason"]),
                str(r["flag"]),
            )
        pending = any(s in {"missing", "invalid"} for s in status.values())
        if result is None or pending:
            error = "" if result is not None or pending else "指标全部为不适用，无法计算总分"
            return LiveScore(self.project_id, round, out, error=error)
        p = result.projects.iloc[0]
        return LiveScore(
            self.project_id,
            round,
            out,
            float(p["total"]),
            str(p["grade"]),
            bool(p["red_light"]),
            str(p["flags"]),
        )

    def _view(
        self, round: str, ids: list[str], actual: list[str], entered: list[Values]
    ) -> Dataset:
        ev = pd.DataFrame(
            {
                "project_id": self.project_id,
                "indicator_id": ids,
                "round": round,
                "actual": actual,
                "evidence": [v.evidence.strip() for v in entered],
                "note": [v.note.strip() for v in entered],
            },
            index=pd.RangeIndex(2, len(ids) + 2, name="row"),
        )
        ds = self.dataset
        tables = dict(ds.tables)
        tables.update(projects=self._project, indicators=self._indicators, evaluations=ev)
        return Dataset(ds.path, tables, ds.sources, ds.encodings)

    def _problems(self, exc: ScoringError, ids: list[str]) -> dict[str, str]:
        """Indicator id → reason, from the engine's problems (their row is our view's row)."""
        found = {}
        for p in exc.problems:
            if p.row is None or not 2 <= p.row < len(ids) + 2:
                continue
            iid = ids[p.row - 2]
            prefix = f"项目 {self.project_id} 指标 {iid}（{self._by_id[iid].name}）"
            found[iid] = p.message.removeprefix(prefix)
        return found


def _rows(result: Any, project_id: str, round: str) -> dict[str, pd.Series]:
    if result is None or result.projects.empty:
        return {}
    b = result.breakdown(project_id, round)
    return {str(r["indicator_id"]): r for _, r in b.iterrows()}


def _indicator(r: Any) -> Indicator:
    rule: Rule | None = get_rule(r.rule)
    params = json.loads(r.params) if r.params else {}
    kind = rule.value if rule else "number"
    levels: tuple[str, ...] = ()
    if kind == "label":
        levels = tuple(str(k) for k in params.get("levels", DEFAULT_GRADE_LEVELS))
    return Indicator(
        str(r.indicator_id),
        str(r.level1),
        str(r.level2),
        str(r.name),
        float(r.points),
        str(r.rule),
        str(r.target),
        str(r.unit_of_measure),
        params,
        rule.describe(params) if rule else str(r.rule),
        kind,
        levels,
    )
