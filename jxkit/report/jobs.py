"""Which reports a dataset has: the jobs ``jxkit render`` and ``jxkit demo`` run.

Per scored project and round a project report, per unit and year with scored projects or
a unit-level evaluation a unit report, per year a summary, per sample folder an audit
report, per new major project (or project assessed ex ante) an ex-ante report, and per
monitoring date a monitoring report. Parameters are passed as text where they are codes,
so ``00123`` stays ``00123``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..dataset import optional_table
from ..errors import ReportError
from ..exante import exante
from ..render.batch import Job
from .blocks import loaded, resolve

__all__ = ["NOTEBOOKS", "jobs_for_dataset", "notebooks_dir", "safe_name"]

NOTEBOOKS = {
    "project": "project_report.ipynb",
    "unit": "unit_report.ipynb",
    "audit": "sampling_audit.ipynb",
    "summary": "summary_report.ipynb",
    "exante": "exante_report.ipynb",
    "monitoring": "monitoring_report.ipynb",
}


def notebooks_dir() -> Path:
    """The report notebooks: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "notebooks", here.parent / "notebooks"):
        if (candidate / NOTEBOOKS["project"]).exists():
            return candidate
    raise ReportError("找不到报告笔记本目录 notebooks（安装不完整？）")


def safe_name(key: str) -> str:
    """A file name from a code: path separators and odd characters replaced."""
    return "".join(ch if ch.isalnum() or ch in "-_.（）()" else "_" for ch in key) or "_"


def jobs_for_dataset(
    dataset: str | os.PathLike[str],
    *,
    kinds: Iterable[str] = ("project", "unit", "audit", "summary", "exante", "monitoring"),
    round: str | None = None,
    year: int | None = None,
    sample: str | os.PathLike[str] | None = None,
    policy: str | None = None,
) -> list[Job]:
    """Every report of ``kinds`` that the dataset supports, in a stable order."""
    kinds = list(kinds)
    unknown = sorted(set(kinds) - set(NOTEBOOKS))
    if unknown:
        raise ReportError(f"未知的报告类型：{'、'.join(unknown)}（可选：{'、'.join(NOTEBOOKS)}）")
    path = resolve(dataset).resolve()
    ds, policy_used, scores = loaded(path, policy)
    nb = notebooks_dir()
    inputs = _inputs(path)
    sample_dir = Path(sample).resolve() if sample else None
    # the policy travels with every report, so `jxkit render --policy` grades them all alike
    base = {"dataset": str(path), "policy": str(Path(policy).resolve()) if policy else ""}
    p = scores.projects
    if year is not None:
        p = p[p["year"] == year]
    if round is not None:
        p = p[p["round"] == round]
    names = ds.projects.set_index("project_id")["name"]
    unit_names = ds.units.set_index("unit_id")["name"]
    jobs: list[Job] = []
    if "summary" in kinds:
        for y in sorted({int(v) for v in p["year"]}):
            jobs.append(
                Job(
                    "summary",
                    f"summary-{y}",
                    nb / NOTEBOOKS["summary"],
                    {**base, "year": y},
                    Path(f"summary-{y}.html"),
                    f"{y} 年度绩效评价总报告",
                    inputs,
                )
            )
    if "audit" in kinds and sample_dir is not None:
        sample_inputs = [*inputs, *sorted(f for f in sample_dir.glob("*") if f.is_file())]
        jobs.append(
            Job(
                "audit",
                f"audit-{safe_name(sample_dir.name)}",
                nb / NOTEBOOKS["audit"],
                {**base, "sample_dir": str(sample_dir)},
                Path(f"audit/{safe_name(sample_dir.name)}.html"),
                f"随机再评价抽样审计（{sample_dir.name}）",
                sample_inputs,
            )
        )
    if "unit" in kinds:
        scored = {(str(u), int(y)) for u, y in zip(p["unit_id"], p["year"], strict=True)}
        ue = optional_table(ds, "unit_evaluations")
        if year is not None:
            ue = ue[ue["year"] == year]
        valued = {(str(u), int(y)) for u, y in zip(ue["unit_id"], ue["year"], strict=True)}
        pairs = sorted(scored | valued)
        for unit_id, y in pairs:
            key = f"{unit_id}-{y}"
            jobs.append(
                Job(
                    "unit",
                    key,
                    nb / NOTEBOOKS["unit"],
                    {**base, "unit_id": unit_id, "year": y},
                    Path(f"unit/{safe_name(key)}.html"),
                    f"{unit_names.get(unit_id, unit_id)} {y} 年度单位整体绩效",
                    inputs,
                )
            )
    if "project" in kinds:
        # projects that could not be scored get their job too: it fails and says why
        skipped = scores.skipped[["project_id", "round"]]
        if year is not None:
            years = ds.projects.set_index("project_id")["year"]
            skipped = skipped[skipped["project_id"].map(years) == year]
        pairs = pd.concat([p[["project_id", "round"]], skipped], ignore_index=True)
        rounds = _project_rounds(pairs.itertuples(index=False), round)
        for pid, r in rounds:
            key = pid if r == "self" or round == "review" else f"{pid}-review"
            extra = {"sample_dir": str(sample_dir)} if sample_dir else {"sample_dir": ""}
            jobs.append(
                Job(
                    "project",
                    key,
                    nb / NOTEBOOKS["project"],
                    {**base, "project_id": pid, "round": r, **extra},
                    Path(f"project/{safe_name(key)}.html"),
                    f"{names.get(pid, pid)}（{'自评' if r == 'self' else '复核'}）",
                    inputs + ([sample_dir / "manifest.json"] if sample_dir else []),
                )
            )
    if "exante" in kinds:
        assessed = exante(ds, policy=policy_used).projects
        if year is not None:
            assessed = assessed[assessed["year"] == year]
        for pid, name in zip(assessed["project_id"], assessed["name"], strict=True):
            jobs.append(
                Job(
                    "exante",
                    f"exante-{pid}",
                    nb / NOTEBOOKS["exante"],
                    {**base, "project_id": str(pid)},
                    Path(f"exante/{safe_name(str(pid))}.html"),
                    f"{name}（事前绩效评估）",
                    inputs,
                )
            )
    if "monitoring" in kinds:
        dates = optional_table(ds, "monitoring")["as_of"].dropna()
        if year is not None:
            dates = dates[dates.dt.year == year]
        for day in sorted({d.strftime("%Y-%m-%d") for d in dates}):
            jobs.append(
                Job(
                    "monitoring",
                    f"monitoring-{day}",
                    nb / NOTEBOOKS["monitoring"],
                    {**base, "as_of": day, "unit_id": ""},
                    Path(f"monitoring/{day}.html"),
                    f"{day} 绩效运行监控",
                    inputs,
                )
            )
    return jobs


def _project_rounds(rows: Iterable[Sequence[str]], round: str | None) -> list[tuple[str, str]]:
    """Self reports for every project; review reports too where a review exists."""
    pairs = sorted({(str(pid), str(r)) for pid, r in rows}, key=lambda x: (x[0], x[1] != "self"))
    return pairs if round is None else [x for x in pairs if x[1] == round]


def _inputs(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(f for f in path.glob("*") if f.is_file())
