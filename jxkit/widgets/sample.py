"""The 抽样 panel: draw a re-evaluation sample with :mod:`jxkit.sampling` and write its manifest.

The population is read exactly as ``jxkit sample DATASET`` reads it, so the manifest
written here verifies with ``jxkit verify`` like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from ..catalogue import category_code, category_name, level_code
from ..dataset.schema import TABLES
from ..labels import METHOD_NAMES, REASON_NAMES
from ..sampling import Sample, draw, read_population, write_sample
from ..sampling.population import parse_where
from .errors import error_html, guarded
from .session import Session
from .style import esc, note

__all__ = ["SamplePanel"]

STRATA = [("项目类别", "category"), ("单位", "unit_id"), ("年度", "year")]
SIZES = [("全年预算数", "budget"), ("全年执行数", "spent")]
#: Column names a filter may use besides the tables' own Chinese headers.
WHERE_NAMES = {"类别": "category", "单位": "unit_id", "年度": "year", "层级": "level"}


def where_codes(text: str) -> str:
    """A filter as an assessor writes it, in the population's names and codes.

    The panel shows 培训类 and 市总工会, so ``类别=培训类,年度=2021`` must work as
    ``category=training,year=2021`` does (the manifest records the latter).

    >>> where_codes("项目类别=培训类，年度>=2021")
    'category=training,year>=2021'
    """
    names = {c.zh: c.name for t in ("projects", "units") for c in TABLES[t].columns}
    names |= WHERE_NAMES
    parts = []
    for column, op, value in parse_where(text):
        column = names.get(column.strip(), column.strip())
        if column == "category":
            value = category_code(value) or value
        elif column == "level":
            value = level_code(value) or value
        parts.append(f"{column}{op}{value.strip()}")
    return ",".join(parts)


#: Preview rows shown; the manifest always holds them all.
PREVIEW_ROWS = 50


def _field(widget: w.Widget, css: str) -> w.Widget:
    widget.style = {"description_width": "initial"}
    widget.add_class(css)
    return widget


class SamplePanel(w.VBox):
    """Method, seed, n or rate, strata and PPS column; a preview; the manifest on disk.

    Args:
        session: The open dataset (its projects are the population).
        on_sample: Called with the selected ids after each draw, so the project list can
            filter on "in the re-evaluation sample".
    """

    def __init__(
        self,
        session: Session,
        on_sample: Callable[[set[str]], None],
    ) -> None:
        super().__init__()
        self.add_class("jx-panel")
        self.session = session
        self.on_sample = on_sample
        self.sample: Sample | None = None
        self.seed = _field(
            w.Text(description="随机数种子", placeholder="事先公开的文字，如 20240315"), "jx-seed"
        )
        self.size_kind = _field(
            w.Dropdown(options=[("样本量", "n"), ("抽样比例", "rate")], description="样本规模按"),
            "jx-size-kind",
        )
        self.n = _field(
            w.BoundedIntText(value=10, min=0, max=1_000_000, description="样本量"), "jx-n"
        )
        self.rate = _field(w.Text(value="10%", description="抽样比例"), "jx-rate")
        self.method_choice = _field(
            w.Dropdown(options=[(v, k) for k, v in METHOD_NAMES.items()], description="抽样方法"),
            "jx-method",
        )
        self.strata = _field(w.Dropdown(options=STRATA, description="分层列"), "jx-strata")
        self.pps = _field(w.Dropdown(options=SIZES, description="规模列"), "jx-pps")
        self.min_per_stratum = _field(
            w.BoundedIntText(value=1, min=0, max=1000, description="每层至少"), "jx-min-per-stratum"
        )
        self.where = _field(
            w.Text(description="筛选", placeholder="如 年度=2021,项目类别=培训类"), "jx-where"
        )
        self.out = _field(
            w.Text(description="输出目录", placeholder="默认：数据集旁的“抽样-种子”"),
            "jx-sample-out",
        )
        form = w.VBox(
            [
                w.HBox([self.seed, self.method_choice]),
                w.HBox([self.size_kind, self.n, self.rate]),
                w.HBox([self.strata, self.min_per_stratum, self.pps]),
                w.HBox([self.where, self.out]),
            ]
        )
        form.add_class("jx-form")
        self.preview_button = w.Button(description="预览抽样", button_style="info")
        self.preview_button.add_class("jx-sample-preview")
        self.write_button = w.Button(
            description="写出抽样清单", button_style="primary", disabled=True
        )
        self.write_button.add_class("jx-sample-write")
        self.method = w.HTML()
        self.preview = w.HTML()
        self.preview.add_class("jx-sample-table")
        self.status = w.HTML()
        self.status.add_class("jx-sample-status")
        intro = w.HTML(
            '<div class="jx-small">抽样算法 jxkit-prn-v1 公开可复算：每个项目的随机数只由“种子 + 项目编码”'
            "算出，与行的顺序和软件版本无关。种子应在抽样前公开确定并原样记录。</div>"
        )
        self.children = [
            intro,
            form,
            w.HBox([self.preview_button, self.write_button]),
            self.method,
            self.status,
            self.preview,
        ]
        self.preview_button.on_click(guarded(self._error, lambda _: self.draw()))
        self.write_button.on_click(guarded(self._error, lambda _: self.write()))
        self.size_kind.observe(lambda _: self._sync(), "value")
        self.method_choice.observe(lambda _: self._sync(), "value")
        for f in (
            self.seed,
            self.n,
            self.rate,
            self.method_choice,
            self.strata,
            self.pps,
            self.min_per_stratum,
            self.where,
        ):
            f.observe(lambda _: self._stale(), "value")
        self._sync()

    def _error(self, exc: BaseException) -> None:
        self.status.value = error_html(exc)

    def _sync(self) -> None:
        self.n.layout.display = "" if self.size_kind.value == "n" else "none"
        self.rate.layout.display = "" if self.size_kind.value == "rate" else "none"
        method = self.method_choice.value
        stratified, sized = method.startswith("stratified"), method.endswith("pps")
        self.strata.layout.display = "" if stratified else "none"
        self.min_per_stratum.layout.display = "" if stratified else "none"
        self.pps.layout.display = "" if sized else "none"

    def _stale(self) -> None:
        """A changed parameter makes the preview no longer the sample that would be written."""
        if self.sample is not None:
            self.sample = None
            self.write_button.disabled = True
            self.status.value = note("info", "参数已改变，请重新预览。")

    def draw(self) -> Sample:
        """Draw with the parameters on screen and show the preview."""
        population = read_population(self.session.path)
        sample = draw(
            population,
            seed=self.seed.value,
            n=self.n.value if self.size_kind.value == "n" else None,
            rate=self.rate.value if self.size_kind.value == "rate" else None,
            strata=self.strata.value if self.method_choice.value.startswith("stratified") else None,
            pps=self.pps.value if self.method_choice.value.endswith("pps") else None,
            min_per_stratum=self.min_per_stratum.value,
            where=where_codes(self.where.value) if self.where.value.strip() else None,
        )
        self.sample = sample
        self._show(sample)
        self.write_button.disabled = False
        self.on_sample({str(i) for i in sample.selected["id"]})
        return sample

    def write(self) -> list[Path]:
        """Write the previewed sample (manifest, listing, sample tables) to the output folder."""
        if self.sample is None:
            self.draw()
        assert self.sample is not None
        out = self.out_dir()
        files = write_sample(self.sample, out)
        self.status.value = note(
            "ok",
            f"已写出抽样清单到 <code>{esc(out)}</code>：{'、'.join(esc(f.name) for f in files)}。"
            f"可用 <code>jxkit verify {esc(out / 'manifest.json')} {esc(self.session.path)}</code> 复核。",
        )
        return files

    def out_dir(self) -> Path:
        """Where the sample goes: as typed (relative to the dataset's folder), else named by the seed."""
        text = self.out.value.strip()
        if text:
            p = Path(text).expanduser()
            return p if p.is_absolute() else self.session.path.parent / p
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in self.seed.value.strip())
        return self.session.path.parent / f"抽样-{safe or 'sample'}"

    def _show(self, sample: Sample) -> None:
        m = sample.manifest
        t = m["totals"]
        self.method.value = note(
            "info",
            f"方法：{esc(METHOD_NAMES.get(m['method'], m['method']))}；总体 {t['N']} 个项目，"
            f"抽中 {t['selected']} 个（随机 {t['random']}、必然入选 {t['certainty']}、必选 {t['mandatory']}）。"
            f"种子：<code>{esc(m['seed'])}</code>；总体指纹 SHA-256 <code>{esc(m['population']['sha256'][:16])}…</code>",
        )
        self.status.value = ""
        names = self.session.dataset.projects.set_index("project_id")["name"]
        s = sample.selected.head(PREVIEW_ROWS)
        strata = bool(m["parameters"]["strata"])
        rows = "".join(
            f"<tr><td>{esc(r.id)}</td><td>{esc(names.get(r.id, ''))}</td>"
            + (f"<td>{esc(category_name(str(r.stratum)))}</td>" if strata else "")
            + f'<td class="n">{r.inclusion_probability:.4f}</td>'
            f"<td>{esc(REASON_NAMES.get(r.reason, r.reason))}</td></tr>"
            for r in s.itertuples(index=False)
        )
        more = (
            f'<div class="jx-small">仅预览前 {PREVIEW_ROWS} 个。</div>'
            if len(sample.selected) > PREVIEW_ROWS
            else ""
        )
        self.preview.value = (
            '<div class="jx-scroll"><table class="jx-table"><tr><th>项目编码</th><th>项目名称</th>'
            + ("<th>层</th>" if strata else "")
            + '<th class="n">入样概率</th><th>入选原因</th></tr>'
            f"{rows}</table></div>{more}"
        )
