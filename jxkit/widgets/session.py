"""One assessor's work on one dataset: loaded values, unsaved edits, the draft, scores.

The workbench's widgets only show and forward; everything they show comes from here, so
it can be tested (and scripted) without a browser. Edits are kept as wanted values per
(project, indicator, round); an edit equal to the file is no edit. Every edit is written
to the draft at once, so a kernel restart loses nothing.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field

import pandas as pd

from ..catalogue import category_name, level_name
from ..dataset import Dataset
from ..dataset.drafts import draft_path, read_draft, write_draft
from ..dataset.writeback import Edit, SaveResult, Stamp, load_for_edit, save_evaluations
from ..errors import DataError, JxkitError, ScoringError
from ..files import resolve_dataset
from ..labels import ROUND_NAMES
from ..policy import Policy, default_policy, load_policy
from ..scoring import score
from .live import EMPTY, LiveScore, ProjectScorer, Values

__all__ = ["SaveReport", "Session", "default_user"]

Key = tuple[str, str, str]

#: Columns of :meth:`Session.overview`.
OVERVIEW_COLUMNS = [
    "project_id",
    "name",
    "unit_id",
    "unit_name",
    "level",
    "year",
    "category",
    "self_total",
    "self_grade",
    "red_light",
    "review_total",
    "review_grade",
    "in_sample",
    "pending",
]


def default_user() -> str:
    """The operating-system account name, the default for the change log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "评价人"


@dataclass
class SaveReport:
    """A save: what was written, and the project rounds held back (in the draft) and why."""

    result: SaveResult | None
    held: list[str] = field(default_factory=list)


class Session:
    """A dataset opened for evaluation by one assessor.

    Args:
        dataset: CSV folder or .xlsx workbook (relative paths as the report notebooks read them).
        user: Name for the change log and the draft file (default: the OS account).
        policy: Policy file path, a loaded :class:`~jxkit.policy.Policy`, or None for the default.
    """

    def __init__(
        self,
        dataset: str | os.PathLike[str],
        *,
        user: str | None = None,
        policy: str | os.PathLike[str] | Policy | None = None,
    ) -> None:
        self.path = resolve_dataset(dataset).resolve()
        if isinstance(policy, Policy):
            self.policy = policy
        else:
            self.policy = load_policy(policy) if policy else default_policy()
        self.user = user or default_user()
        self.draft_file = draft_path(self.path, self.user)
        self.notices: list[str] = []
        self.edits: dict[Key, Values] = {}
        self.sample_ids: set[str] | None = None
        self._load()
        self._restore_draft()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        self.dataset: Dataset
        self.stamp: Stamp
        self.dataset, self.stamp = load_for_edit(self.path)
        ev = self.dataset.evaluations
        self.originals: dict[Key, Values] = {
            (str(p), str(i), str(r)): Values(str(a), str(e), str(n))
            for p, i, r, a, e, n in zip(
                ev["project_id"],
                ev["indicator_id"],
                ev["round"],
                ev["actual"],
                ev["evidence"],
                ev["note"],
                strict=True,
            )
        }
        self._scorers: dict[str, ProjectScorer] = {}
        self.scores = self._score_all()

    def _score_all(self) -> pd.DataFrame:
        """Every project's saved totals; a project that cannot be scored is left out, with a notice."""
        try:
            return score(self.dataset, policy=self.policy).projects
        except ScoringError as exc:
            self.notices.append(
                f"数据集中有 {len(exc.problems)} 处完成值无法评分，相关项目的得分暂不显示"
                "（打开项目即可看到原因并更正）。"
            )
        parts = []
        for pid in sorted(set(self.dataset.evaluations["project_id"])):
            for r in ROUND_NAMES:
                live = self.live(pid, r, saved=True)
                if live.complete:
                    parts.append(
                        {
                            "project_id": pid,
                            "round": r,
                            "total": live.total,
                            "grade": live.grade,
                            "red_light": live.red_light,
                        }
                    )
        return pd.DataFrame(parts, columns=["project_id", "round", "total", "grade", "red_light"])

    def _restore_draft(self) -> None:
        try:
            draft = read_draft(self.draft_file)
        except DataError as exc:
            bad = self.draft_file.with_name(self.draft_file.name + ".bad")
            self.draft_file.replace(bad)
            self.notices.append(f"{exc}；已改名为 {bad.name} 保留。")
            return
        if draft is None:
            return
        for e in draft.edits:
            self._put(e.key, Values(e.actual, e.evidence, e.note))
        n = len(self.edits)
        if n:
            note = f"已从草稿恢复 {n} 项未保存的修改（最后编辑于 {draft.updated}），请核对后保存。"
            if draft.base_sha256 != self.stamp.sha256:
                note += "注意：草稿之后数据集文件已被修改过。"
            self.notices.append(note)
        self._write_draft()

    def reload(self) -> None:
        """Read the dataset again (e.g. after a conflict); unsaved edits are kept."""
        edits = dict(self.edits)
        self.notices = []
        self._load()
        self.edits = {}
        for key, v in edits.items():
            self._put(key, v)
        self._write_draft()

    # ------------------------------------------------------------------ values

    def project_ids(self) -> list[str]:
        return [str(p) for p in self.dataset.projects["project_id"]]

    def scorer(self, project_id: str) -> ProjectScorer:
        """The project's live scorer, prepared once per loaded dataset."""
        if project_id not in self._scorers:
            if project_id not in set(self.dataset.projects["project_id"]):
                raise DataError(f"数据集中没有项目 {project_id}")
            self._scorers[project_id] = ProjectScorer(self.dataset, project_id, self.policy)
        return self._scorers[project_id]

    def original(self, project_id: str, indicator_id: str, round: str) -> Values:
        return self.originals.get((project_id, indicator_id, round), EMPTY)

    def value(self, project_id: str, indicator_id: str, round: str) -> Values:
        """What is entered now: the unsaved edit, else the saved value."""
        key = (project_id, indicator_id, round)
        return self.edits.get(key) or self.originals.get(key, EMPTY)

    def values(self, project_id: str, round: str, *, saved: bool = False) -> dict[str, Values]:
        """Each indicator's values in ``round``: as on screen, or as saved."""
        get = self.original if saved else self.value
        return {
            i.indicator_id: get(project_id, i.indicator_id, round)
            for i in self.scorer(project_id).indicators
        }

    def edit(
        self,
        project_id: str,
        indicator_id: str,
        round: str,
        *,
        actual: str | None = None,
        evidence: str | None = None,
        note: str | None = None,
    ) -> None:
        """Change what is entered for one indicator; the draft is written at once."""
        old = self.value(project_id, indicator_id, round)
        new = Values(
            old.actual if actual is None else actual,
            old.evidence if evidence is None else evidence,
            old.note if note is None else note,
        )
        if new != old:
            self._put((project_id, indicator_id, round), new)
            self._write_draft()

    def _put(self, key: Key, v: Values) -> None:
        o = self.originals.get(key, EMPTY)
        same = all(
            a.strip() == b.strip()
            for a, b in ((v.actual, o.actual), (v.evidence, o.evidence), (v.note, o.note))
        )
        if same:
            self.edits.pop(key, None)
        else:
            self.edits[key] = v

    def discard(self, project_id: str | None = None) -> None:
        """Drop unsaved edits (of one project, or all)."""
        self.edits = {k: v for k, v in self.edits.items() if project_id not in (None, k[0])}
        self._write_draft()

    def pending(self) -> list[Edit]:
        """Unsaved edits as write-back edits (also what the draft holds)."""
        return [Edit(p, i, r, v.actual, v.evidence, v.note) for (p, i, r), v in self.edits.items()]

    def pending_rounds(self) -> set[tuple[str, str]]:
        """(project, round) pairs with unsaved edits: the unit a save checks and writes."""
        return {(p, r) for p, _, r in self.edits}

    def _write_draft(self) -> None:
        write_draft(self.draft_file, self.pending(), self.stamp)

    def live(self, project_id: str, round: str, *, saved: bool = False) -> LiveScore:
        """The project's score in ``round`` with the values on screen (or as saved)."""
        return self.scorer(project_id).score(round, self.values(project_id, round, saved=saved))

    # ------------------------------------------------------------------ saving

    def save(self, user: str | None = None) -> SaveReport:
        """Save every project round that can be scored; hold back the others in the draft.

        A round saved half-filled would make ``jxkit score`` fail for the whole dataset,
        so a project round is saved only when all its values are valid, or when all are
        empty (which removes the round).
        """
        ready: list[Edit] = []
        held: list[str] = []
        for pid, r in sorted(self.pending_rounds()):
            live = self.live(pid, r)
            cleared = all(v.blank() for v in self.values(pid, r).values())
            if live.complete or cleared:
                ready += [e for e in self.pending() if (e.project_id, e.round) == (pid, r)]
                continue
            what = []
            if live.count("missing"):
                what.append(f"{live.count('missing')} 项未填写")
            if live.count("invalid"):
                what.append(f"{live.count('invalid')} 项无效")
            reason = "、".join(what) or live.error
            held.append(f"{pid}（{ROUND_NAMES[r]}）：{reason}")
        if not ready:
            return SaveReport(None, held)
        result = save_evaluations(
            self.dataset, ready, stamp=self.stamp, user=(user or self.user).strip()
        )
        saved = {e.key for e in ready}
        remaining = {k: v for k, v in self.edits.items() if k not in saved}
        self.edits = remaining
        self._write_draft()
        try:
            self.reload()
        except JxkitError as exc:  # saved, but the file no longer loads: say so plainly
            self.notices.append(f"已保存，但重新载入数据集时出错：{exc}")
        return SaveReport(result, held)

    # ------------------------------------------------------------------ overview

    def overview(self) -> pd.DataFrame:
        """One row per project: facts, saved self and review totals, sample and pending marks."""
        ds = self.dataset
        p = ds.projects
        units = ds.units.set_index("unit_id")
        s = self.scores.set_index(["project_id", "round"])
        pending = {pid for pid, _ in self.pending_rounds()}

        def get(pid: str, r: str, col: str) -> object:
            return s.at[(pid, r), col] if (pid, r) in s.index else None

        rows = []
        for r in p.itertuples(index=False):
            pid = str(r.project_id)
            rows.append(
                {
                    "project_id": pid,
                    "name": r.name,
                    "unit_id": r.unit_id,
                    "unit_name": units["name"].get(r.unit_id, r.unit_id),
                    "level": units["level"].get(r.unit_id, ""),
                    "year": int(r.year) if pd.notna(r.year) else None,
                    "category": r.category,
                    "self_total": get(pid, "self", "total"),
                    "self_grade": get(pid, "self", "grade"),
                    "red_light": bool(get(pid, "self", "red_light") or False),
                    "review_total": get(pid, "review", "total"),
                    "review_grade": get(pid, "review", "grade"),
                    "in_sample": self.sample_ids is not None and pid in self.sample_ids,
                    "pending": pid in pending,
                }
            )
        return pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)


def describe_project(session: Session, project_id: str) -> dict[str, str]:
    """The facts shown above the indicator rows, as display text."""
    p = session.dataset.projects.set_index("project_id").loc[project_id]
    units = session.dataset.units.set_index("unit_id")
    budget, spent = float(p["budget"]), float(p["spent"])
    rate = f"{spent / budget:.1%}" if budget > 0 and spent == spent else "—"
    return {
        "name": str(p["name"]),
        "unit": str(units["name"].get(p["unit_id"], p["unit_id"])),
        "level": level_name(str(units["level"].get(p["unit_id"], ""))),
        "year": str(p["year"]),
        "category": category_name(str(p["category"])),
        "budget": _money(budget),
        "spent": _money(spent),
        "rate": rate,
    }


def _money(x: float) -> str:
    if x != x:
        return "—"
    return f"{x / 10000:,.2f} 万元"
