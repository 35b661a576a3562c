"""What makes a report fileable: the report settings, cover page, contents, signature block.

Text that only the assessor can write (委托单位, 评价机构, 评价人员, 报告日期, 评价目的与原则,
工作过程) comes from a report settings file (``templates/report_settings.yaml`` shows every
key); a report shows it where given and marks it 待补充 where not — never invented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReportError
from ..files import resolve_dataset
from .blocks import Html, esc, mask

__all__ = [
    "SETTINGS_NAMES",
    "TODO",
    "ReportSettings",
    "contents",
    "cover",
    "given",
    "load_settings",
    "signature",
]

#: Where a dataset keeps its report settings, when no file is named.
SETTINGS_NAMES = ("report_settings.yaml", "报告设置.yaml")
#: What a report says where the assessor has yet to write.
TODO = "待补充"

#: The settings' Chinese keys (what users write) and their fields.
_KEYS = {
    "委托单位": "client",
    "评价机构": "evaluator",
    "评价人员": "staff",
    "报告日期": "date",
    "评价目的": "purpose",
    "评价原则": "principles",
    "工作过程": "process",
    "其他说明": "other",
}


@dataclass(frozen=True)
class ReportSettings:
    """The report settings; an empty string is a field not given."""

    client: str = ""
    evaluator: str = ""
    staff: str = ""
    date: str = ""
    purpose: str = ""
    principles: str = ""
    process: str = ""
    other: str = ""
    source: str = field(default="", compare=False)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


def load_settings(
    settings: str | os.PathLike[str] | None, dataset: str | os.PathLike[str] | None = None
) -> ReportSettings:
    """The settings of a named file, else of the dataset's folder, else none given."""
    import yaml

    path = Path(settings) if settings else None
    if path is None and dataset is not None:
        folder = resolve_dataset(dataset)
        folder = folder if folder.is_dir() else folder.parent
        path = next((folder / n for n in SETTINGS_NAMES if (folder / n).is_file()), None)
    if path is None:
        return ReportSettings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReportError(
            f"报告设置文件 {path} 读取失败：{exc}；请检查文件是否为 UTF-8 的 YAML"
        ) from exc
    if not isinstance(raw, Mapping):
        raise ReportError(f"报告设置文件 {path} 应为“键: 值”形式（如“委托单位: 浙江省总工会”）")
    unknown = [str(k) for k in raw if str(k) not in _KEYS]
    if unknown:
        raise ReportError(
            f"报告设置文件 {path} 中有未知的键：{'、'.join(unknown)}；可用的键：{'、'.join(_KEYS)}"
        )
    values = {_KEYS[str(k)]: _text(v) for k, v in raw.items()}
    return ReportSettings(**values, source=str(path))


def given(value: Any, *, masked: bool = False) -> Html:
    """The assessor's text, escaped, or a visible 待补充 mark.

    ``masked`` for text from the dataset (personal data may be in it); the settings'
    names of the evaluators are shown as written.
    """
    text = "" if value is None or (isinstance(value, float) and value != value) else _text(value)
    if not text or text.lower() in {"nan", "none", "<na>", "nat"}:
        return Html(f'<span class="jx-todo">{TODO}</span>')
    return Html(esc(mask(text, names=True) if masked else text))


def cover(
    title: str, subtitle: str, settings: ReportSettings, lines: Sequence[tuple[str, str]]
) -> Html:
    """The cover page: title, what is evaluated, who commissioned and who evaluated, date."""
    rows = [*lines, ("委托单位", settings.client), ("评价机构", settings.evaluator)]
    rows.append(("报告日期", settings.date))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{given(v)}</td></tr>" for k, v in rows)
    return Html(
        f'<section class="jx-cover"><h1 class="jx-cover-title">{esc(title)}</h1>'
        f'<p class="jx-cover-sub">{esc(subtitle)}</p>'
        f'<table class="jx-cover-facts"><tbody>{body}</tbody></table></section>'
    )


def contents(headings: Sequence[str]) -> Html:
    """The table of contents: the report's first-level headings, in order."""
    items = "".join(f"<li>{esc(h)}</li>" for h in headings)
    return Html(f'<nav class="jx-toc"><p class="jx-toc-title">目　录</p><ol>{items}</ol></nav>')


def signature(settings: ReportSettings) -> Html:
    """The signature and seal block at the end of the body."""
    rows = [
        ("评价机构（盖章）", settings.evaluator),
        ("评价人员（签字）", settings.staff),
        ("报告日期", settings.date),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{given(v)}</td></tr>" for k, v in rows)
    return Html(f'<table class="jx-signature"><tbody>{body}</tbody></table>')
