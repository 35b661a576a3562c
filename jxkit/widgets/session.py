"""One assessor's work on one dataset: loaded values, unsaved edits, the draft, scores.

The workbench's widgets only show and forward; everything they show comes from here, so
it can be tested (and scripted) without a browser. Edits are kept as wanted values per
(project, indicator, round), each with its base: the values shown when the edit began.
Save and reload merge base, disk and mine cell by cell (:mod:`jxkit.dataset.merge`): cells
only others changed are taken from disk and listed, cells both changed are conflicts the
reviewer settles (:meth:`Session.resolve`) before anything is written. Every edit is
written to the draft at once, and the reviewer's name and round to a settings file, so a
kernel restart loses nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..catalogue import category_name, level_name
from ..dataset import Dataset
from ..dataset.drafts import (
    draft_path,
    read_draft,
    read_state,
    state_path,
    write_draft,
    write_state,
)
from ..dataset.journal import recover
from ..dataset.merge import Conflict, merge_cell
from ..dataset.writeback import (
    FIELDS,
    ConflictError,
    Edit,
    SaveResult,
    Stamp,
    evaluations_file,
    load_for_edit,
    save_evaluations,
)
from ..errors import DataError, JxkitError, ScoringError
from ..files import resolve_dataset
from ..forms.published import published_scores
from ..labels import ROUND_NAMES
from ..policy import Policy, default_policy, load_policy
from ..rounding import wan
from ..scoring import score
from .checks import WorkbenchSettings, concerns
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


def notebook_page() -> str:
    """A short name for the notebook this kernel runs (same after a restart), or "" outside one.

    Jupyter tells a kernel its notebook's path (``JPY_SESSION_NAME``); two notebooks on one
    dataset are two workbenches and keep two drafts.
    """
    path = os.environ.get("JPY_SESSION_NAME", "")
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:8] if path else ""


def default_user() -> str:
    """The operating-system account name, the default for the change log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "评价人"


@dataclass
class SaveReport:
    """A save: what was written, the project rounds held back (in the draft) and why, and
    the conflicts that stopped it (nothing is written while there are any)."""

    result: SaveResult | None
    held: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(frozen=True)
class OtherChange:
    """A cell someone else changed on disk since this session last read it."""

    key: Key
    field: str
    old: str
    new: str


def _fields(v: Values) -> dict[str, str]:
    return {"actual": v.actual, "evidence": v.evidence, "note": v.note}


def _triple(v: Values) -> tuple[str, str, str]:
    return (v.actual, v.evidence, v.note)


def _same(a: Values, b: Values) -> bool:
    return all(x.strip() == y.strip() for x, y in zip(_triple(a), _triple(b), strict=True))


class Session:
    """A dataset opened for evaluation by one assessor.

    Args:
        dataset: CSV folder or .xlsx workbook (relative paths as the report notebooks read them).
        user: Name for the change log and the draft file (default: the name last typed
            by this OS account on this dataset, else the account name).
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
        self.settings = WorkbenchSettings.of(self.policy)
        self.state_file = state_path(self.path, default_user())
        self.state = read_state(self.state_file)
        self.user = user or self.state.user or default_user()
        self.draft_file = draft_path(self.path, self.user, notebook_page())
        self.notices: list[str] = []
        self.edits: dict[Key, Values] = {}
        self.bases: dict[Key, Values] = {}
        self.conflicts: dict[tuple[Key, str], Conflict] = {}
        self.others: list[OtherChange] = []
        self.sample_ids: set[str] | None = None
        recovered = recover(evaluations_file(self.path).parent)
        if recovered:
            self.notices.append(recovered)
        self._load()
        self._restore_draft()
        self.remember(user=self.user)

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
        self.published = published_scores(self.dataset)
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
        # a draft kept outside a notebook (a script, or an earlier version) is taken over once
        source = self.draft_file
        shared = draft_path(self.path, self.user)
        if not source.exists() and shared.exists():
            source = shared
        try:
            draft = read_draft(source)
        except DataError as exc:
            bad = source.with_name(source.name + ".bad")
            source.replace(bad)
            self.notices.append(f"{exc}；已改名为 {bad.name} 保留。")
            return
        if draft is None:
            return
        if source != self.draft_file:
            source.unlink()
        for e in draft.edits:
            base = self.originals.get(e.key, EMPTY) if e.base is None else Values(*e.base)
            self.bases[e.key] = base
            self._put(e.key, Values(e.actual, e.evidence, e.note))
        self._merge()
        n = len(self.edits)
        if n:
            note = f"已从草稿恢复 {n} 项未保存的修改（最后编辑于北京时间 {draft.updated}），请核对后保存。"
            if draft.base_sha256 != self.stamp.sha256:
                note += "草稿之后数据集文件已被他人修改过，已逐格合并。"
            self.notices.append(note)
        self._write_draft()

    def reload(self, mine: set[tuple[Key, str]] | None = None) -> None:
        """Read the dataset again and merge it with the unsaved edits, cell by cell.

        Cells others changed meanwhile are listed in :attr:`others` (``mine``: cells this
        session has just saved itself, not to be listed); cells both changed go to
        :attr:`conflicts`.
        """
        before = self.originals
        self.notices = []
        self._load()
        self.others = [
            OtherChange(key, f, old, new)
            for key in sorted(before.keys() | self.originals.keys())
            for f, old, new in zip(
                FIELDS,
                _fields(before.get(key, EMPTY)).values(),
                _fields(self.originals.get(key, EMPTY)).values(),
                strict=True,
            )
            if old.strip() != new.strip() and (key, f) not in (mine or set())
        ]
        self._merge()
        self._write_draft()

    def _merge(self) -> None:
        """Merge each unsaved edit with the values now loaded (the disk), field by field."""
        self.conflicts = {}
        for key in list(self.edits):
            mine, base = _fields(self.edits[key]), _fields(self.bases[key])
            disk = _fields(self.originals.get(key, EMPTY))
            for f in FIELDS:
                outcome = merge_cell(base[f], disk[f], mine[f])
                if outcome == "conflict":
                    self.conflicts[(key, f)] = Conflict(*key, f, base[f], disk[f], mine[f])
                elif outcome != "mine":  # taken from disk, now seen: it is the new base
                    mine[f] = base[f] = disk[f]
            self.bases[key] = Values(**base)
            self._put(key, Values(**mine))

    def resolve(self, key: Key, field: str, keep: str) -> None:
        """Settle a conflict: ``keep`` "mine" (write mine over theirs) or "theirs" (take disk)."""
        c = self.conflicts.pop((key, field))
        self.bases[key] = replace(self.bases[key], **{field: c.disk})
        if keep == "theirs":
            self.edits[key] = replace(self.edits[key], **{field: c.disk})
        self._put(key, self.edits[key])
        self._write_draft()

    def remember(self, **changes: str) -> None:
        """Keep the reviewer's name, round or project for the next start (a kernel restart)."""
        state = replace(self.state, **changes)
        if state != self.state:
            self.state = state
            write_state(self.state_file, state)

    def set_user(self, user: str) -> None:
        """Change the reviewer: the log's name, and the draft moves to that reviewer's file."""
        user = user.strip()
        if not user or user == self.user:
            return
        old = self.draft_file
        self.user, self.draft_file = user, draft_path(self.path, user, notebook_page())
        self._write_draft()
        if old != self.draft_file:
            old.unlink(missing_ok=True)
        self.remember(user=user)

    def changed_on_disk(self) -> bool:
        """True when someone saved the dataset since it was loaded (then reload to see it)."""
        return self.stamp.changed()

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
        base = self.bases.setdefault(key, self.originals.get(key, EMPTY))
        if _same(v, base) and not any(k == key for k, _ in self.conflicts):
            self.edits.pop(key, None)
            self.bases.pop(key, None)
        else:
            self.edits[key] = v

    def discard(self, project_id: str | None = None) -> None:
        """Drop unsaved edits (of one project, or all)."""
        keep = [k for k in self.edits if project_id not in (None, k[0])]
        self.edits = {k: self.edits[k] for k in keep}
        self.bases = {k: self.bases[k] for k in keep}
        self.conflicts = {k: c for k, c in self.conflicts.items() if k[0] in self.edits}
        self._write_draft()

    def pending(self) -> list[Edit]:
        """Unsaved edits as write-back edits with their bases (also what the draft holds)."""
        return [
            Edit(p, i, r, v.actual, v.evidence, v.note, base=_triple(self.bases[(p, i, r)]))
            for (p, i, r), v in self.edits.items()
        ]

    def concerns(
        self, project_id: str, round: str, live: LiveScore | None = None
    ) -> dict[str, str]:
        """Edited indicators whose value needs a reason before saving (see :mod:`.checks`)."""
        live = live or self.live(project_id, round)
        edited = {i for p, i, r in self.edits if (p, r) == (project_id, round)}
        out = {}
        for ind in self.scorer(project_id).indicators:
            iid = ind.indicator_id
            if iid in edited:
                why = concerns(
                    ind,
                    self.value(project_id, iid, round),
                    live.indicators[iid],
                    round,
                    self.settings,
                )
                if why:
                    out[iid] = why
        return out

    def hold_reasons(self, project_id: str, round: str) -> list[str]:
        """Why a project round cannot be saved yet, naming each indicator (empty: it can)."""
        live = self.live(project_id, round)
        names = {i.indicator_id: i.name for i in self.scorer(project_id).indicators}
        out = []
        for status, what in (("missing", "未填写"), ("invalid", "无效")):
            items = [
                names[i] + (f"（{s.message}）" if status == "invalid" and s.message else "")
                for i, s in live.indicators.items()
                if s.status == status
            ]
            if items:
                out.append(f"{what}：" + "、".join(items))
        if not out and not live.complete:
            out.append(live.error or "无法计算总分")
        explain = self.concerns(project_id, round, live)
        if explain:
            out.append(
                "需说明理由："
                + "、".join(f"{names[i]}（{w.split('，')[0]}）" for i, w in explain.items())
            )
        return out

    def pending_rounds(self) -> set[tuple[str, str]]:
        """(project, round) pairs with unsaved edits: the unit a save checks and writes."""
        return {(p, r) for p, _, r in self.edits}

    def _write_draft(self) -> None:
        write_draft(self.draft_file, self.pending(), self.stamp)

    def live(self, project_id: str, round: str, *, saved: bool = False) -> LiveScore:
        """The project's score in ``round`` with the values on screen (or as saved)."""
        return self.scorer(project_id).score(round, self.values(project_id, round, saved=saved))

    def filed_self(self, project_id: str, *, saved: bool = False) -> LiveScore:
        """The self-evaluation as filed: an imported form's printed 自评得分 and 总分 (the grade
        by the policy's bands), as ``jxkit compare`` takes it; else the self round as scored.
        """
        live = self.live(project_id, "self", saved=saved)
        pub = self.published
        if project_id not in pub.totals:
            return live
        indicators = {}
        for iid, s in live.indicators.items():
            printed = pub.score(project_id, iid, None)
            indicators[iid] = (
                s
                if printed is None
                else replace(s, status="ok", score=printed, lost=None, message="")
            )
        total = pub.totals[project_id]
        grade = str(self.policy.grade(np.array([total]))[0])
        return replace(
            live,
            indicators=indicators,
            total=total,
            grade=grade,
            red_light=grade in self.policy.red_light_grades,
        )

    # ------------------------------------------------------------------ saving

    def save(self, user: str | None = None) -> SaveReport:
        """Save every project round that can be scored; hold back the others in the draft.

        A round saved half-filled would make ``jxkit score`` fail for the whole dataset,
        so a project round is saved only when all its values are valid, or when all are
        empty (which removes the round). Nothing is written while a conflict is unsettled;
        a conflict found at the save itself (someone saved meanwhile) is merged in the same
        way, and listed.
        """
        if user:
            self.set_user(user)
        if self.conflicts:
            return SaveReport(None, conflicts=list(self.conflicts.values()))
        ready: list[Edit] = []
        held: list[str] = []
        for pid, r in sorted(self.pending_rounds()):
            cleared = all(v.blank() for v in self.values(pid, r).values())
            reasons = [] if cleared else self.hold_reasons(pid, r)
            if not reasons:
                ready += [e for e in self.pending() if (e.project_id, e.round) == (pid, r)]
            else:
                held.append(f"{pid}（{ROUND_NAMES[r]}）：" + "；".join(reasons))
        if not ready:
            return SaveReport(None, held)
        try:
            result = save_evaluations(
                self.dataset,
                ready,
                stamp=self.stamp,
                user=self.user,
                timezone=self.settings.timezone,
            )
        except ConflictError as exc:
            if not exc.conflicts:
                raise
            self.reload()
            return SaveReport(None, held, list(self.conflicts.values()))
        mine = {
            (e.key, f)
            for e in ready
            for f, new, old in zip(FIELDS, e.values().values(), e.base or ("",) * 3, strict=True)
            if new.strip() != old.strip()
        }
        if result.base_sha256 == self.stamp.sha256:
            self._absorb(ready, result.stamp)  # nobody saved meanwhile: no need to read it all
            return SaveReport(result, held)
        try:
            self.reload(mine)
        except JxkitError as exc:  # saved, but the file no longer loads: say so plainly
            self.notices.append(f"已保存，但重新载入数据集时出错：{exc}")
        return SaveReport(result, held)

    def _absorb(self, saved: list[Edit], stamp: Stamp) -> None:
        """Take the saved edits as the loaded values, as a reload would (the file held the
        values as loaded plus exactly these cells), and rescore the project rounds saved."""
        for e in saved:
            old = _fields(self.originals.get(e.key, EMPTY))
            new = {
                f: v.strip() if v.strip() != b.strip() else old[f]
                for (f, v), b in zip(e.values().items(), e.base or ("", "", ""), strict=True)
            }
            if any(v.strip() for v in new.values()):
                self.originals[e.key] = Values(**new)
            else:
                self.originals.pop(e.key, None)
            self.edits.pop(e.key, None)
            self.bases.pop(e.key, None)
        self.stamp, self.others, self.notices = stamp, [], []
        rounds = {(e.project_id, e.round) for e in saved}
        keep = [
            (p, r) not in rounds
            for p, r in zip(self.scores["project_id"], self.scores["round"], strict=True)
        ]
        parts = [self.scores[keep]]
        for pid, r in sorted(rounds):
            live = self.live(pid, r, saved=True)
            if live.complete:
                row = {"project_id": pid, "round": r, "total": live.total, "grade": live.grade}
                parts.append(pd.DataFrame([row | {"red_light": live.red_light}]))
        self.scores = pd.concat(parts, ignore_index=True)
        self._write_draft()

    # ------------------------------------------------------------------ overview

    def overview(self) -> pd.DataFrame:
        """One row per project: facts, saved self and review totals, sample and pending marks."""
        ds = self.dataset
        p = ds.projects
        units = ds.units.set_index("unit_id")
        s = self.scores.set_index(["project_id", "round"])
        pending = {pid for pid, _ in self.pending_rounds()}

        # a form's printed 总分 is its self-evaluation (as in filed_self)
        filed = self.published.totals
        grades = dict(
            zip(filed, self.policy.grade(np.array(list(filed.values()), dtype=float)), strict=True)
        )

        def get(pid: str, r: str, col: str) -> object:
            if r == "self" and pid in filed:
                red = grades[pid] in self.policy.red_light_grades
                return {"total": filed[pid], "grade": grades[pid], "red_light": red}[col]
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
        "budget": wan(budget),
        "spent": wan(spent),
        "rate": rate,
    }
