"""Building blocks of the report notebooks: formatted tables, charts, masking, text.

Every value that comes from the user's data is escaped here, so a project named
``<script>`` shows as text; personal data (ID numbers, phone numbers, names in 困难职工帮扶
records) is masked before it reaches a report. Charts are embedded as PNG data URIs so a
report is one self-contained file. Notebooks call these and stay readable as an outline.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..dataset import Dataset, load_dataset
from ..files import resolve_dataset
from ..policy import Policy, load_policy
from ..rounding import round_half_up, wan
from ..scoring import ScoreResult, score

if TYPE_CHECKING:
    from ..assess import Assessment
    from ..compare import Comparison
    from ..results import Application

__all__ = [
    "Html",
    "application",
    "assessment",
    "beijing_time",
    "chart_bars",
    "chart_points",
    "chart_radar",
    "comparison",
    "esc",
    "facts",
    "figure_html",
    "loaded",
    "mask",
    "new_figure",
    "pct",
    "records",
    "score_text",
    "setup",
    "table",
    "wan",
    "year_results",
]


class Html(str):
    """HTML a notebook cell displays as is (its parts were escaped when it was built)."""

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # the notebook's text/plain copy of the output: short, the HTML is what counts
        p.text("<HTML>")


def esc(value: Any) -> str:
    """Text from the data, safe inside HTML."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return html.escape(str(value))


# ----------------------------------------------------------------------------- loading


@lru_cache(maxsize=8)
def _loaded(
    path: str, stamp: float, policy_path: str | None
) -> tuple[Dataset, Policy, ScoreResult]:
    ds = load_dataset(path)
    policy = load_policy(policy_path)
    # one incomplete project must not stop every report: it is left out and its own
    # report says why (ScoreResult.skipped)
    return ds, policy, score(ds, policy=policy, skip_invalid=True)


def _key(dataset: str | os.PathLike[str], policy: str | None) -> tuple[str, float, str | None]:
    """The cache key of a dataset and policy: the same files give the same key, however named
    (relative or absolute), and a changed dataset a new one."""
    p = resolve_dataset(dataset)
    return str(p.resolve()), _stamp(p), str(Path(policy).resolve()) if policy else None


def loaded(
    dataset: str | os.PathLike[str], policy: str | None = None
) -> tuple[Dataset, Policy, ScoreResult]:
    """Load, check and score a dataset once per process (a batch reuses it across reports)."""
    return _loaded(*_key(dataset, policy))


def _stamp(p: Path) -> float:
    """When the dataset last changed: a new stamp loads it afresh."""
    return max((f.stat().st_mtime for f in ([p] if p.is_file() else p.glob("*"))), default=0.0)


@lru_cache(maxsize=8)
def _application(path: str, stamp: float, policy_path: str | None, year: int) -> Application:
    from ..results import apply_results

    ds, policy, scores = _loaded(path, stamp, policy_path)
    return apply_results(ds, year, policy=policy, scores=scores)


@lru_cache(maxsize=8)
def _assessment(path: str, stamp: float, policy_path: str | None, year: int) -> Assessment:
    from ..assess import assess

    ds, policy, scores = _loaded(path, stamp, policy_path)
    return assess(ds, year, policy=policy, scores=scores)


def application(
    dataset: str | os.PathLike[str], year: int, policy: str | None = None
) -> Application:
    """The year's results application, once per process: every report of the year shows
    the same verdicts and the same ranking."""
    return _application(*_key(dataset, policy), int(year))


def assessment(dataset: str | os.PathLike[str], year: int, policy: str | None = None) -> Assessment:
    """The year's management-work assessment of the units, once per process (unit and
    summary reports show it; a project report does not need it)."""
    return _assessment(*_key(dataset, policy), int(year))


def year_results(
    dataset: str | os.PathLike[str], year: int, policy: str | None = None
) -> tuple[Application, Assessment]:
    """The year's results application and management-work assessment, once per process."""
    return application(dataset, year, policy), assessment(dataset, year, policy)


@lru_cache(maxsize=8)
def _comparison(path: str, stamp: float, policy_path: str | None) -> Comparison:
    from ..compare import compare

    ds, policy, scores = _loaded(path, stamp, policy_path)
    return compare(ds, policy=policy, scores=scores)


def comparison(dataset: str | os.PathLike[str], policy: str | None = None) -> Comparison:
    """Self-evaluation against review for every project with both, once per process: each
    report reads its project's verdict from it (the red flags scan the whole dataset)."""
    return _comparison(*_key(dataset, policy))


_ready = False


def setup() -> None:
    """Fonts with Chinese for charts, and quiet, deterministic matplotlib output (once)."""
    global _ready
    if _ready:
        return
    _ready = True
    import matplotlib as mpl

    from ..render.fonts import setup_fonts

    setup_fonts()
    mpl.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "font.size": 10,
            "svg.hashsalt": "jxkit",
        }
    )


# ----------------------------------------------------------------------------- formatting


def pct(x: Any, digits: int = 1) -> str:
    """A share as a percentage: 0.856 → "85.6%".

    >>> pct(0.856), pct(None)
    ('85.6%', '—')
    """
    if x is None or pd.isna(x):
        return "—"
    return f"{float(x) * 100:.{digits}f}%"


def score_text(x: Any) -> str:
    """A score, a deduction or a total: always 2 decimals (the one rule for scores).

    >>> score_text(90), score_text(7.405), score_text(float("nan"))
    ('90.00', '7.41', '—')
    """
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return "—"
    if isinstance(x, int | float | np.integer | np.floating):
        return f"{float(round_half_up(np.array([float(x)]))[0]):,.2f}"
    return str(x)


#: China Standard Time has had no daylight saving since 1991: a fixed offset is exact.
_BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def beijing_time(stamp: Any) -> str:
    """An ISO time stamp (any offset; none means UTC) as 2021-03-15 09:30（北京时间）."""
    if not stamp:
        return ""
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def _is_score(header: str) -> bool:
    """A column of scores (2 decimals), not of points (as given) nor of counts."""
    return "分值" not in header and any(k in header for k in ("得分", "失分", "总分", "差值"))


def num(x: Any, digits: int = 2) -> str:
    """A number for people: thousands separators, no trailing zeros.

    >>> num(1234.5), num(90.0), num("好")
    ('1,234.5', '90', '好')
    """
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    if isinstance(x, int | float | np.integer | np.floating):
        text = f"{float(x):,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(x)


# digit groups may be separated by a space or hyphen, as people write them
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{6}[-\s]?\d{8}[-\s]?\d{3}[0-9Xx]|\d{15})(?![0-9A-Za-z])"
)
_PHONE = re.compile(r"(?<![\d-])(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?![\d-])")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")
_LABELS = "姓名|帮扶对象|困难职工|受助职工|慰问对象|救助对象|申请人|户主|联系人|收款人"
_NAME_AFTER_LABEL = re.compile(
    # a label, then a name set off by a separator, or directly followed by personal numbers
    rf"((?:{_LABELS})(?:[：:\s]+|(?=[\u4e00-\u9fa5]{{2,4}}[\s,，:：(（]*(?:身份证|电话|手机|\d{{11}}|\d{{15}}))))"
    rf"([\u4e00-\u9fa5])([\u4e00-\u9fa5]{{1,3}})(?=[\s,，、;；。:：(（]|$|\d)"
)
#: a list of names after a label and a colon: 困难职工名单：张三、李四、王五
_NAME_LIST = re.compile(
    rf"((?:{_LABELS})[\u4e00-\u9fa5]{{0,4}}[：:]\s*)((?:[\u4e00-\u9fa5]{{2,4}}[、，,\s]+)*[\u4e00-\u9fa5]{{2,4}})(?=[；;。）)]|$)"
)
_NAME_BEFORE_NUMBER = re.compile(
    r"(?<![\u4e00-\u9fa5])([\u4e00-\u9fa5])([\u4e00-\u9fa5]{1,3})(?=[\s,，:：(（]*(?:身份证|电话|手机|\d{11}|\d{15}))"
)
_NOT_NAMES = frozenset(
    {
        "身份证",
        "证号",
        "号码",
        "发放",
        "台账",
        "名单",
        "记录",
        "花名册",
        "花名",
        "名册",
        "信息",
        "材料",
    }
)
_NOT_NAME_STARTS = ("身份", "电话", "手机", "联系", "号码", "证件")


def mask(text: Any, *, names: bool = False) -> str:
    """Mask ID numbers, phone numbers and (with ``names``) personal names in free text.

    Names are masked where the text marks them (姓名：张三, 帮扶对象 李四) or where they stand
    right before an ID or phone number; the surname stays so assessors can still match records.

    >>> mask("王建国 330102198003151234 13812345678")
    '王建国 330*************34 138****5678'
    >>> mask("帮扶对象：王建国，电话 13812345678", names=True)
    '帮扶对象：王**，电话 138****5678'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = str(text)
    if names:  # before the numbers, which mark where names stand
        s = _NAME_LIST.sub(_mask_list, s)
        s = _NAME_AFTER_LABEL.sub(_mask_labelled, s)
        s = _NAME_BEFORE_NUMBER.sub(_mask_name, s)
    s = _ID_NUMBER.sub(_mask_id, s)
    s = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", s)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", s)


def _mask_id(m: re.Match[str]) -> str:
    digits = re.sub(r"[-\s]", "", m.group(0))
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def _mask_list(m: re.Match[str]) -> str:
    def one(name: re.Match[str]) -> str:
        word = name.group(0)
        return word if _is_word(word) else word[0] + "*" * (len(word) - 1)

    return m.group(1) + re.sub(r"[\u4e00-\u9fa5]{2,4}", one, m.group(2))


def _is_word(word: str) -> bool:
    """Not a name: record vocabulary that stands where names stand (花名册, 身份证)."""
    return word in _NOT_NAMES or word.startswith(_NOT_NAME_STARTS) or word[:2] in _NOT_NAMES


def _mask_labelled(m: re.Match[str]) -> str:
    word = m.group(2) + m.group(3)
    return m.group(0) if _is_word(word) else m.group(1) + m.group(2) + "*" * len(m.group(3))


def _mask_name(m: re.Match[str]) -> str:
    word = m.group(1) + m.group(2)
    return word if _is_word(word) or "*" in word else m.group(1) + "*" * len(m.group(2))


Formatter = Callable[[Any], str]


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    formats: Mapping[str, Formatter] | None = None,
    numeric: Iterable[str] = (),
    row_class: Callable[[Mapping[str, Any]], str] | None = None,
    caption: str = "",
    empty: str = "（无）",
) -> Html:
    """An HTML table with Chinese headers; every cell escaped and masked, numbers right-aligned.

    Masking is on for every text cell, whatever the report: personal data turns up in
    notes, reasons and evidence of any table (domain.md: never unmasked in a report).
    """
    formats = dict(formats or {})
    right = set(numeric) | {
        c
        for c in columns
        if c in frame
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    }
    if frame.empty:
        return Html(f'<p class="jx-empty">{esc(empty)}</p>')
    head = "".join(
        f'<th class="{"num" if c in right else ""}">{esc(h)}</th>' for c, h in columns.items()
    )
    body = []
    for row in records(frame):
        cells = []
        for c in columns:
            value = row.get(c)
            if c in formats:
                text = formats[c](value)
            elif c in right:
                text = score_text(value) if _is_score(columns[c]) else num(value)
            else:
                text = _text(value)
            cls = ' class="num"' if c in right else ""
            cells.append(f"<td{cls}>{esc(text if c in right else mask(text, names=True))}</td>")
        cls = f' class="{esc(row_class(row))}"' if row_class else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return Html(
        f'<table class="jx-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as ``iterrows`` gives their values (read from one object array), as dicts:
    without a Series per row, which costs more than the cell it formats (a summary report's
    tables have thousands of rows)."""
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, values, strict=True)) for values in frame.to_numpy(dtype=object)]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    return str(value)


def facts(pairs: Sequence[tuple[str, Any]]) -> Html:
    """A two-column key/value table (基本情况); values escaped and masked (Html kept as is)."""
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td>"
        + (v if isinstance(v, Html) else esc(mask(_text(v), names=True)))
        + "</td></tr>"
        for k, v in pairs
    )
    return Html(f'<table class="jx-facts"><tbody>{rows}</tbody></table>')


def paragraphs(lines: Iterable[str], *, numbered: bool = True, empty: str = "无。") -> Html:
    """Numbered findings or suggestions, escaped and masked."""
    items = [esc(mask(x, names=True)) for x in lines if x]
    if not items:
        return Html(f"<p>{esc(empty)}</p>")
    tag = "ol" if numbered else "ul"
    return Html(f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>")


def badge(grade: str, red_light: bool = False) -> str:
    cls = {"优": "g-a", "良": "g-b", "中": "g-c", "差": "g-d"}.get(grade, "g-c")
    light = '<span class="jx-badge red">红灯警示</span>' if red_light else ""
    return f'<span class="jx-badge {cls}">{esc(grade)}</span>{light}'


# ----------------------------------------------------------------------------- charts

GRADE_COLORS = {"优": "#2e8b57", "良": "#2f6db5", "中": "#e0a526", "差": "#c8382e"}
PALETTE = {
    "earned": "#2f6db5",
    "lost": "#d9dee7",
    "self": "#7aa6d8",
    "review": "#2f6db5",
    "red": "#c8382e",
}


def figure_html(fig: Any, alt: str, caption: str = "") -> Html:
    """A matplotlib figure as an embedded PNG with its caption (reports stay one file).

    The figure is already laid out to its size (constrained layout, or measured margins);
    ``bbox_inches="tight"`` would draw it once more to measure it, in every report. The PNG
    is compressed at zlib level 1: a tenth of the chart's time saved for 15% more bytes
    (4 KB of a 170 KB report), the same pixels.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return Html(
        f'<figure class="jx-chart"><img alt="{esc(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'
    )


def new_figure(width: float, height: float, layout: Any = "constrained") -> Any:
    """A figure in inches with the Chinese font set up; no pyplot state is touched."""
    from matplotlib.figure import Figure

    setup()
    return Figure(figsize=(width, height), layout=layout)


def chart_points(
    labels: Sequence[str], earned: Sequence[float], lost: Sequence[float], *, caption: str = ""
) -> Html:
    """Horizontal bars: points earned and lost per first-level indicator.

    Every project report has this chart, so it is laid out by measuring its few labels
    rather than by the constrained layout, which draws the whole figure once more to measure
    it (a third of the chart's time).
    """
    fig = new_figure(6.0, 0.42 * len(labels) + 1.0, layout=None)
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, earned, color=PALETTE["earned"], label="得分")
    ax.barh(y, lost, left=earned, color=PALETTE["lost"], label="失分")
    for yi, e, lo in zip(y, earned, lost, strict=True):
        ax.text(e / 2, yi, num(e), va="center", ha="center", color="white", fontsize=9)
        if lo > 0.005:
            ax.text(
                e + lo + 0.5, yi, f"−{num(lo)}", va="center", ha="left", color="#8a1f17", fontsize=9
            )
    ax.set_yticks(y, labels)
    ax.set_xlabel("分值")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=2)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, max(np.add(earned, lost)) * 1.18 if len(labels) else 1)
    _fit_margins(fig, labels)
    return figure_html(fig, "各一级指标得分与失分", caption)


def _fit_margins(fig: Any, labels: Sequence[str]) -> None:
    """Margins for one axes with labels on the left, tick labels and a label below and a
    legend above: measured from the text (the longest label, one line of text), in points."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.font_manager import FontProperties

    renderer = FigureCanvasAgg(fig).get_renderer()  # the canvas savefig would draw on
    to_points = 72 / fig.dpi
    rc: Any = mpl.rcParams

    def size(text: str, key: str) -> tuple[float, float]:
        props = FontProperties(size=rc[key])
        w, h, _ = renderer.get_text_width_height_descent(text, props, ismath=False)
        return w * to_points, h * to_points

    widest = max((size(str(label), "ytick.labelsize")[0] for label in labels), default=0.0)
    tick = size("0123456789", "xtick.labelsize")[1]
    line = size("分值", "axes.labelsize")[1]
    legend = size("得分", "legend.fontsize")[1]
    pad = 6.0  # points between texts and the figure's edge
    width, height = fig.get_figwidth() * 72, fig.get_figheight() * 72
    # a framework's very long first-level name is cut at the edge rather than leaving no room
    left = min(widest + rc["ytick.major.pad"] + pad, width * 0.6)
    bottom = (
        rc["xtick.major.size"] + rc["xtick.major.pad"] + tick + rc["axes.labelpad"] + line + pad
    )
    top = legend * 1.8 + pad  # the legend's row with its padding
    fig.subplots_adjust(
        left=left / width, right=1 - pad / width, bottom=bottom / height, top=1 - top / height
    )


def chart_bars(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    ylabel: str = "",
    caption: str = "",
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    value_format: Callable[[float], str] = num,
    integer: bool = False,
    bar_colors: Sequence[str] | None = None,
) -> Html:
    """Grouped bars with values written on them; ``bar_colors`` colours a single series per bar."""
    n = len(series)
    fig = new_figure(6.0, max(2.2, 0.36 * len(labels) + 0.9) if horizontal else 2.8)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / max(n, 1)
    palette = list(colors or ["#2f6db5", "#7aa6d8", "#e0a526", "#c8382e"])
    for i, (name, values) in enumerate(series.items()):
        pos = x - 0.4 + width * (i + 0.5)
        color = list(bar_colors) if bar_colors and n == 1 else palette[i % len(palette)]
        bars = (ax.barh if horizontal else ax.bar)(
            pos, values, width * 0.92, label=name, color=color
        )
        ax.bar_label(bars, labels=[value_format(v) for v in values], padding=2, fontsize=8)
    if horizontal:
        ax.set_yticks(x, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        ax.set_xticks(
            x,
            labels,
            rotation=0 if len(labels) < 7 else 30,
            ha="center" if len(labels) < 7 else "right",
        )
        ax.set_ylabel(ylabel)
    if integer:
        from matplotlib.ticker import MaxNLocator

        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    top = max((max(v) for v in series.values() if len(v)), default=1.0) or 1.0
    (ax.set_xlim if horizontal else ax.set_ylim)(0, top * 1.15)
    if title:
        ax.set_title(title)
    if n > 1:
        ax.legend(frameon=False)
    return figure_html(fig, title or caption, caption)


def chart_radar(
    labels: Sequence[str], values: Sequence[float], *, title: str = "", caption: str = ""
) -> Html:
    """Radar of shares in [0, 1] (e.g. the six unit-level dimensions)."""
    fig = new_figure(5.6, 4.6)
    ax = fig.add_subplot(projection="polar")
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False)
    closed = np.concatenate([values, values[:1]])
    ax.plot(np.concatenate([angles, angles[:1]]), closed, color=PALETTE["earned"], linewidth=2)
    ax.fill(np.concatenate([angles, angles[:1]]), closed, color=PALETTE["earned"], alpha=0.18)
    for a, v in zip(angles, values, strict=True):
        # inside the polygon: a share of 100% would otherwise sit on the dimension's name
        ax.text(a, v - 0.08, f"{v:.1%}", ha="center", va="center", fontsize=8, color="#1f2329")
    ax.set_xticks(angles, labels)
    ax.tick_params(axis="x", pad=16)
    # rates below 40% are rare; starting there keeps differences between dimensions visible
    low = 0.0 if min(values, default=0.0) < 0.4 else 0.4
    ax.set_ylim(low, 1.05)
    ax.set_yticks([t for t in (0.2, 0.4, 0.6, 0.8, 1.0) if t > low], [], color="#777")
    if title:
        ax.set_title(title, pad=18)
    return figure_html(fig, title or caption, caption)
