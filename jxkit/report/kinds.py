"""The report kinds: what each is called, which notebook makes it, which reports a dataset has.

A kind is one :class:`ReportKind` in :data:`KINDS`, filled in one block at the end: its code
(``jxkit render --kind``), the name the index shows, the notebook, and a function listing
the dataset's reports of that kind. Adding a kind is adding a notebook and one entry here;
the renderer (:mod:`jxkit.render`) knows no kind.

Per scored project and round a project report, per unit and year with scored projects or
a unit-level evaluation a unit report, per year a summary, per sample folder an audit
report, per new major project (or project assessed ex ante) an ex-ante report, per
monitoring date a monitoring report, and per unit and year a target review (目标审核).
Parameters are passed as text where they are codes, so ``00123`` stays ``00123``. This module imports only what listing the kinds needs, so
``jxkit --help`` can name them at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportError
from ..files import notebooks_dir, resolve_dataset

if TYPE_CHECKING:
    import pandas as pd

    from ..dataset import Dataset
    from ..policy import Policy
    from ..render.batch import Job
    from ..scoring import ScoreResult

__all__ = [
    "ASSESSED_KINDS",
    "KINDS",
    "YEAR_KINDS",
    "ReportKind",
    "get_kind",
    "jobs_for_dataset",
    "safe_name",
]


@dataclass
class Context:
    """What every kind's listing reads: the dataset as scored, the filters, shared parameters."""

    ds: Dataset
    policy: Policy
    scores: ScoreResult
    projects: pd.DataFrame  # the scored projects, filtered by year and round
    year: int | None
    round: str | None
    sample_dir: Path | None
    base: dict[str, str]
    inputs: list[Path]
    notebooks: dict[str, Path] = field(default_factory=dict)

    def job(
        self,
        kind: str,
        key: str,
        parameters: Mapping[str, Any],
        output: str,
        title: str,
        inputs: Sequence[Path] | None = None,
        summary: Mapping[str, str] | None = None,
    ) -> Job:
        from ..render.batch import Job

        k = KINDS[kind]
        if kind not in self.notebooks:  # looked up once per kind, not per report
            self.notebooks[kind] = notebooks_dir() / k.notebook
        return Job(
            kind,
            key,
            self.notebooks[kind],
            {**self.base, **parameters},
            Path(output),
            title,
            self.inputs if inputs is None else inputs,
            kind_name=k.name,
            rank=list(KINDS).index(kind),
            summary=summary or {},
        )


@dataclass(frozen=True)
class ReportKind:
    code: str
    #: how the index and messages name the kind
    name: str
    #: the notebook in ``notebooks/`` that makes a report of this kind
    notebook: str
    #: the dataset's reports of this kind
    jobs: Callable[[Context], list[Job]]


def safe_name(key: str) -> str:
    """A file name from a code: path separators and odd characters replaced."""
    return "".join(ch if ch.isalnum() or ch in "-_.（）()" else "_" for ch in key) or "_"


# ----------------------------------------------------------------------------- listings


def _summary(c: Context) -> list[Job]:
    return [
        c.job(
            "summary", f"summary-{y}", {"year": y}, f"summary-{y}.html", f"{y} 年度绩效评价总报告"
        )
        for y in sorted({int(v) for v in c.projects["year"]})
    ]


def _audit(c: Context) -> list[Job]:
    if c.sample_dir is None:
        return []
    name = safe_name(c.sample_dir.name)
    return [
        c.job(
            "audit",
            f"audit-{name}",
            {"sample_dir": str(c.sample_dir)},
            f"audit/{name}.html",
            f"随机再评价抽样审计（{c.sample_dir.name}）",
            [*c.inputs, *sorted(f for f in c.sample_dir.glob("*") if f.is_file())],
        )
    ]


def _unit(c: Context) -> list[Job]:
    from ..dataset import optional_table

    p = c.projects
    scored = {(str(u), int(y)) for u, y in zip(p["unit_id"], p["year"], strict=True)}
    ue = optional_table(c.ds, "unit_evaluations")
    if c.year is not None:
        ue = ue[ue["year"] == c.year]
    valued = {(str(u), int(y)) for u, y in zip(ue["unit_id"], ue["year"], strict=True)}
    names = c.ds.units.set_index("unit_id")["name"]
    return [
        c.job(
            "unit",
            f"{unit_id}-{y}",
            {"unit_id": unit_id, "year": y},
            f"unit/{safe_name(f'{unit_id}-{y}')}.html",
            f"{names.get(unit_id, unit_id)} {y} 年度单位整体绩效",
        )
        for unit_id, y in sorted(scored | valued)
    ]


def _project(c: Context) -> list[Job]:
    import pandas as pd

    # projects that could not be scored get their job too: it fails and says why
    skipped = c.scores.skipped[["project_id", "round"]]
    if c.year is not None:
        years = c.ds.projects.set_index("project_id")["year"]
        skipped = skipped[skipped["project_id"].map(years) == c.year]
    pairs = pd.concat([c.projects[["project_id", "round"]], skipped], ignore_index=True)
    names = dict(zip(c.ds.projects["project_id"], c.ds.projects["name"], strict=True))
    sample = {"sample_dir": str(c.sample_dir) if c.sample_dir else ""}
    manifest = [c.sample_dir / "manifest.json"] if c.sample_dir else []
    # the index shows each report's total, grade and red light: the figures of the score file
    # (looked up in a dict: a national batch lists a hundred thousand reports)
    sp = c.scores.projects
    scored = {
        (p, r): (total, grade, red)
        for p, r, total, grade, red in zip(
            sp["project_id"], sp["round"], sp["total"], sp["grade"], sp["red_light"], strict=True
        )
    }
    jobs = []
    for pid, r in _project_rounds(pairs.itertuples(index=False), c.round):
        key = pid if r == "self" or c.round == "review" else f"{pid}-review"
        summary = {}
        if (pid, r) in scored:
            total, grade, red = scored[(pid, r)]
            summary = {
                "总分": f"{total:.2f}",
                "等级": str(grade),
                "红灯警示": "是" if bool(red) else "否",
            }
        jobs.append(
            c.job(
                "project",
                key,
                {"project_id": pid, "round": r, **sample},
                f"project/{safe_name(key)}.html",
                f"{names.get(pid, pid)}（{'自评' if r == 'self' else '复核'}）",
                c.inputs + manifest,
                summary,
            )
        )
    return jobs


def _exante(c: Context) -> list[Job]:
    from ..exante import exante

    assessed = exante(c.ds, policy=c.policy).projects
    if c.year is not None:
        assessed = assessed[assessed["year"] == c.year]
    return [
        c.job(
            "exante",
            f"exante-{pid}",
            {"project_id": str(pid)},
            f"exante/{safe_name(str(pid))}.html",
            f"{name}（事前绩效评估）",
        )
        for pid, name in zip(assessed["project_id"], assessed["name"], strict=True)
    ]


def _monitoring(c: Context) -> list[Job]:
    from ..dataset import optional_table

    dates = optional_table(c.ds, "monitoring")["as_of"].dropna()
    if c.year is not None:
        dates = dates[dates.dt.year == c.year]
    return [
        c.job(
            "monitoring",
            f"monitoring-{day}",
            {"as_of": day, "unit_id": ""},
            f"monitoring/{day}.html",
            f"{day} 绩效运行监控",
        )
        for day in sorted({d.strftime("%Y-%m-%d") for d in dates})
    ]


def _targets(c: Context) -> list[Job]:
    # one per unit and year: the review goes back to each unit with its budget (revise,
    # resubmit), and 绩效目标编制质量 is assessed per unit; unit_id "" gives a whole year
    p = c.ds.projects
    if c.year is not None:
        p = p[p["year"] == c.year]
    names = c.ds.units.set_index("unit_id")["name"]
    pairs = sorted({(str(u), int(y)) for u, y in zip(p["unit_id"], p["year"], strict=True)})
    return [
        c.job(
            "targets",
            f"targets-{unit_id}-{y}",
            {"unit_id": unit_id, "year": y},
            f"targets/{safe_name(f'{unit_id}-{y}')}.html",
            f"{names.get(unit_id, unit_id)} {y} 年度绩效目标审核",
        )
        for unit_id, y in pairs
    ]


def _project_rounds(rows: Iterable[Sequence[str]], round: str | None) -> list[tuple[str, str]]:
    """Self reports for every project; review reports too where a review exists."""
    pairs = sorted({(str(pid), str(r)) for pid, r in rows}, key=lambda x: (x[0], x[1] != "self"))
    return pairs if round is None else [x for x in pairs if x[1] == round]


# ----------------------------------------------------------------------------- the registry


def get_kind(code: str) -> ReportKind:
    """A kind by code; an unknown code is an error that lists the known ones."""
    if code not in KINDS:
        raise ReportError(f"未知的报告类型：{code}（可选：{'、'.join(KINDS)}）")
    return KINDS[code]


def jobs_for_dataset(
    dataset: str | os.PathLike[str],
    *,
    kinds: Iterable[str] = (),
    round: str | None = None,
    year: int | None = None,
    sample: str | os.PathLike[str] | None = None,
    policy: str | None = None,
) -> list[Job]:
    """Every report of ``kinds`` (default: all) that the dataset supports, in a stable order."""
    from .blocks import loaded

    wanted = list(kinds) or list(KINDS)
    unknown = sorted(set(wanted) - set(KINDS))
    if unknown:
        raise ReportError(f"未知的报告类型：{'、'.join(unknown)}（可选：{'、'.join(KINDS)}）")
    path = resolve_dataset(dataset).resolve()
    ds, policy_used, scores = loaded(path, policy)
    p = scores.projects
    if year is not None:
        p = p[p["year"] == year]
    if round is not None:
        p = p[p["round"] == round]
    context = Context(
        ds,
        policy_used,
        scores,
        p,
        year,
        round,
        Path(sample).resolve() if sample else None,
        # the policy travels with every report, so `jxkit render --policy` grades them alike
        {"dataset": str(path), "policy": str(Path(policy).resolve()) if policy else ""},
        [path] if path.is_file() else sorted(f for f in path.glob("*") if f.is_file()),
    )
    return [job for code in KINDS if code in wanted for job in KINDS[code].jobs(context)]


#: Kinds whose reports show the year's unit assessment: a render worker makes it beforehand
#: only when the batch has one of them.
ASSESSED_KINDS = frozenset({"unit", "summary"})
#: Kinds whose reports show the results application of their year (a project report, of
#: its project's year): a render worker makes it for the years the batch has.
YEAR_KINDS = frozenset({"project", "unit", "summary"})

#: Every report kind, in the order the index lists them.
KINDS: dict[str, ReportKind] = {
    k.code: k
    for k in (
        ReportKind("summary", "汇总", "summary_report.ipynb", _summary),
        ReportKind("unit", "单位", "unit_report.ipynb", _unit),
        ReportKind("project", "项目", "project_report.ipynb", _project),
        ReportKind("audit", "抽样审计", "sampling_audit.ipynb", _audit),
        ReportKind("exante", "事前评估", "exante_report.ipynb", _exante),
        ReportKind("monitoring", "绩效监控", "monitoring_report.ipynb", _monitoring),
        ReportKind("targets", "目标审核", "target_review.ipynb", _targets),
    )
}
