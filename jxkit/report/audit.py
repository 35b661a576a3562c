"""The sampling audit report (随机再评价抽样审计): how the sample was drawn, proof that it
reproduces, and what the re-evaluation found."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalogue import category_name
from ..compare import compare
from ..errors import ReportError
from ..files import resolve_dataset
from ..labels import header
from ..sampling import read_listing, read_manifest, read_population, verify
from .blocks import Html, beijing_time, chart_bars, esc, facts, loaded, num, paragraphs, pct, table
from .project import METHODS

__all__ = ["AuditReport", "reproduce_command"]

REASONS = {"random": "随机抽中", "certainty": "必然入样", "mandatory": "指定必抽"}


def _arg(text: str) -> str:
    """Quote a shell argument only when it needs it (Chinese text reads better bare)."""
    return text if re.fullmatch(r"[\w\-./:=,%+@]+", text) else shlex.quote(text)


def reproduce_command(manifest: dict[str, Any], population: str, out: str = "复现抽样") -> str:
    """The exact ``jxkit sample`` command that redraws this sample."""
    p = manifest.get("parameters", {})
    parts = ["jxkit", "sample", population, "--seed", str(manifest["seed"])]
    if p.get("rate") is not None:
        parts += ["--rate", str(p["rate"])]
    else:
        parts += ["--n", str(p.get("n"))]
    if p.get("id_col") and p["id_col"] != "project_id":
        parts += ["--id-col", p["id_col"]]
    for flag, key in (("--strata", "strata"), ("--pps", "pps"), ("--where", "where")):
        if p.get(key):
            parts += [flag, str(p[key])]
    if p.get("strata") and p.get("min_per_stratum", 1) != 1:
        parts += ["--min-per-stratum", str(p["min_per_stratum"])]
    if manifest.get("population", {}).get("table") == "units":
        parts.append("--units")
    if p.get("include_file"):
        parts += ["--include", str(p["include_file"])]
    parts += ["--out", out]
    return " ".join(_arg(x) for x in parts)


def _relative(path: str | os.PathLike[str], base: Path) -> str:
    """A path as seen from the folder holding the dataset (never the machine's own path).

    A folder elsewhere is named by its own name: where it sits on this machine tells the
    reader nothing and may say more than it should.
    """
    full = Path(path).resolve()
    try:
        return full.relative_to(base).as_posix()
    except ValueError:
        return full.name


def _conditions(where: object) -> str:
    """Filter conditions with column names in Chinese: year=2021 → 年度=2021."""
    if not where:
        return ""
    return re.sub(
        r"([A-Za-z_][A-Za-z0-9_]*)(?=\s*(?:[=<>!]|$))", lambda m: header(m.group(1)), str(where)
    ).replace(",", "，")


class AuditReport:
    def __init__(
        self,
        dataset: str | os.PathLike[str],
        sample_dir: str | os.PathLike[str],
        *,
        policy: str | None = None,
    ) -> None:
        self.dataset = str(dataset)
        self.sample_dir = resolve_dataset(sample_dir)
        if not (self.sample_dir / "manifest.json").exists():
            raise ReportError(f"{sample_dir} 中没有 manifest.json：请先用 jxkit sample 抽样")
        self.manifest = read_manifest(self.sample_dir)
        self.ds, self.policy, self.scores = loaded(dataset, policy)
        units = self.manifest.get("population", {}).get("table") == "units"
        population = read_population(self.ds.path, units=units)
        self.check = verify(self.manifest, population, listing=read_listing(self.sample_dir))
        self.selected = pd.DataFrame(self.manifest.get("selected", []))
        ids = [str(i) for i in self.selected.get("id", [])]
        self.comparison = (
            None if units else compare(self.ds, ids, policy=self.policy, scores=self.scores)
        )

    def title(self) -> Html:
        m = self.manifest
        return Html(
            '<header class="jx-title"><p class="jx-kicker">随机再评价</p><h1>抽样审计报告</h1>'
            f"<p class='jx-sub'>种子“{esc(m.get('seed'))}” · 抽样时间 "
            f"{esc(beijing_time(m.get('created')))}</p></header>"
        )

    def method(self) -> Html:
        m, p = self.manifest, self.manifest.get("parameters", {})
        pop = m.get("population", {})
        totals = m.get("totals", {})
        return facts(
            [
                ("抽样算法", f"{m.get('algorithm')}（公开算法，见 docs/sampling.md）"),
                ("抽样方法", METHODS.get(str(m.get("method")), m.get("method"))),
                ("随机种子", m.get("seed")),
                (
                    "样本量",
                    f"n = {p.get('n') if p.get('n') is not None else m.get('n')}"
                    + (f"（比例 {p.get('rate')}）" if p.get("rate") else ""),
                ),
                ("分层变量", header(p["strata"]) if p.get("strata") else "不分层"),
                ("规模变量（PPS）", header(p["pps"]) if p.get("pps") else "不按规模"),
                ("筛选条件", _conditions(p.get("where")) or "无"),
                ("指定必抽", f"{len(p.get('include') or [])} 个"),
                ("总体", f"{pop.get('count')} 行（{pop.get('source')}）"),
                ("总体指纹 SHA-256", pop.get("sha256")),
                (
                    "抽中",
                    f"{totals.get('selected')} 个：随机 {totals.get('random', 0)}，必然入样 {totals.get('certainty', 0)}，指定 {totals.get('mandatory', 0)}",
                ),
                ("抽样软件版本", m.get("jxkit_version")),
            ]
        )

    def _stratum_name(self, value: object) -> str:
        """Strata of the category column shown by their Chinese names."""
        text = str(value)
        if self.manifest.get("parameters", {}).get("strata") == "category":
            return category_name(text)
        return text

    def strata(self) -> Html:
        s = pd.DataFrame(self.manifest.get("strata", []))
        if s.empty:
            return Html("<p>不分层。</p>")
        s["stratum"] = s["stratum"].map(self._stratum_name)
        return table(
            s,
            {
                "stratum": "层",
                "N_h": "总体数 N_h",
                "n_h": "样本量 n_h",
                "certainty": "必然入样",
                "random": "随机",
                "mandatory": "指定",
            },
        )

    def selected_table(self) -> Html:
        s = self.selected.copy()
        if s.empty:
            return Html("<p>没有抽中任何单元。</p>")
        names = self.ds.projects.set_index("project_id")["name"]
        s["name"] = s["id"].astype(str).map(names).fillna("")
        s["reason_text"] = s["reason"].map(REASONS).fillna(s["reason"])
        s["stratum"] = s["stratum"].map(self._stratum_name)
        return table(
            s,
            {
                "id": "编码",
                "name": "名称",
                "stratum": "层",
                "u": "随机数 u",
                "inclusion_probability": "入样概率",
                "reason_text": "入样原因",
            },
            formats={"u": lambda v: f"{float(v):.6f}", "inclusion_probability": pct},
            numeric=["u", "inclusion_probability"],
        )

    def probability_chart(self) -> Html:
        s = self.selected
        if s.empty:
            return Html("")
        return chart_bars(
            [str(i) for i in s["id"]],
            {"入样概率": [float(x) * 100 for x in s["inclusion_probability"]]},
            horizontal=True,
            ylabel="入样概率（%）",
            caption="图 1  抽中单元的入样概率",
            value_format=lambda v: f"{v:.1f}%",
        )

    def reproduce(self) -> Html:
        base = Path(self.dataset).resolve().parent
        dataset, sample = _relative(self.dataset, base), _relative(self.sample_dir, base)
        cmd = reproduce_command(self.manifest, dataset)
        verify_cmd = f"jxkit verify {_arg(sample + '/manifest.json')} {_arg(dataset)}"
        status = "复现一致：总体与抽样结果均与记录相符。" if self.check.ok else "复现不一致："
        lines = "" if self.check.ok else paragraphs(self.check.lines, numbered=False)
        return Html(
            f"<p>任何人可在数据集“{esc(dataset)}”所在的文件夹中用以下命令重新抽样并核对"
            f"（结果只取决于种子、编码与规模，与行序和软件版本无关；抽样记录在“{esc(sample)}”）：</p>"
            f"<pre class='jx-cmd'>{esc(cmd)}\n{esc(verify_cmd)}</pre>"
            f"<p class='{'ok' if self.check.ok else 'bad'}'><b>本次核验：{esc(status)}</b></p>{lines}"
        )

    def comparison_part(self) -> Html:
        c = self.comparison
        if c is None:
            return Html("<p>本次为单位抽样，复核比较见单位整体评价报告。</p>")
        s = c.summary
        if not s["compared"]:
            return Html(f"<p>抽中的 {esc(s['sampled'])} 个项目尚无复核结果。</p>")
        head = Html(
            f"<p>抽中 {esc(s['sampled'])} 个项目，其中 {esc(s['compared'])} 个已复核；"
            f"自评质量差 {esc(s['poor'])} 个（{esc(pct(s['poor_rate']))}）。按 Clopper-Pearson 方法，"
            f"总体中自评质量差的比例在 {esc(pct(s['confidence'], 0))} 置信水平下不超过 "
            f"<b>{esc(pct(s['upper_bound']))}</b>。判定标准：总分相差 {esc(num(s['total_gap']))} 分及以上或等级变化。</p>"
        )
        t = table(
            c.projects,
            {
                "project_id": "项目编码",
                "name": "项目名称",
                "self_total": "自评得分",
                "review_total": "复核得分",
                "difference": "差值",
                "self_grade": "自评等级",
                "review_grade": "复核等级",
                "verdict": "自评质量",
                "inflated": "自评偏高的指标",
            },
            row_class=lambda r: "lost" if r["poor"] else "",
        )
        flags = c.flags
        f = table(
            flags,
            {"unit_name": "单位", "project_id": "项目编码", "flag": "风险提示"},
            empty="未发现风险提示。",
        )
        return Html(head + t + "<h3>各单位自评风险提示</h3>" + f)
