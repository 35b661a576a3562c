"""From an executed notebook to a self-contained HTML (and PDF) report, written atomically.

The page comes from :class:`~jxkit.render.exporter.ReportExporter` (our nbconvert
template); then numbers in tables are marked for alignment and a subset of the shipped font
is embedded. PDF is WeasyPrint on the same HTML. nbconvert loads only when a page is made.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dataset.tables import atomic_path
from ..errors import ReportError
from .fonts import font_face_css

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from .exporter import ReportExporter

__all__ = [
    "export_html",
    "finish_page",
    "mark_numbers",
    "pdf_support",
    "warm_exporter",
    "write_html",
    "write_pdf",
]

_FONT_SLOT = '<style id="jxkit-font"></style>'
# A table cell that holds one number (with thousands separators, a sign, a unit at most).
_NUMBER = re.compile(r"[-+−]?[¥￥$]?\d[\d,，]*(\.\d+)?\s*(%|‰|元|万元|亿元|分|个|人|次|项)?")
_TD = re.compile(r"<td(?P<attrs>[^>]*)>(?P<text>[^<]*)</td>")


@cache
def _exporter() -> ReportExporter:
    from .exporter import ReportExporter

    return ReportExporter()


def warm_exporter() -> None:
    """Build the exporter and compile its templates once, before a worker starts forking."""
    from nbformat import v4

    output = v4.new_output(
        "display_data",
        data={"text/markdown": "**预热**", "text/html": "<b>预热</b>", "text/plain": "预热"},
    )
    code = v4.new_code_cell(
        "", outputs=[v4.new_output("stream", name="stdout", text="预热"), output]
    )
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# 预热"), code])
    _exporter().from_notebook_node(nb, resources={"jxkit": {"title": "", "generated": ""}})


def export_html(nb: NotebookNode, *, title: str, generated: dt.datetime | None = None) -> str:
    """The report page for an executed notebook: our template, numbers aligned, font embedded."""
    when = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    resources = {"jxkit": {"title": title, "generated": when}}
    page, _ = _exporter().from_notebook_node(nb, resources=resources)
    return finish_page(page)


def finish_page(page: str) -> str:
    """Numbers in tables marked for alignment, then the font embedded: the page as filed."""
    return embed_font(mark_numbers(page))


def mark_numbers(page: str) -> str:
    """Table cells holding one number get class ``jx-num`` (aligned right, tabular digits)."""
    return _TD.sub(_mark_number, page)


def embed_font(page: str) -> str:
    """Fill the page's font slot with a subset of the shipped font covering its characters."""
    if _FONT_SLOT not in page:
        raise ReportError('报告模板缺少字体位置 <style id="jxkit-font">，无法嵌入中文字体')
    css = font_face_css(page)
    return page.replace(_FONT_SLOT, f'<style id="jxkit-font">{css}</style>', 1)


def _mark_number(match: re.Match[str]) -> str:
    if not _NUMBER.fullmatch(html_lib.unescape(match["text"]).strip()):
        return match[0]
    attrs = match["attrs"]
    if 'class="' in attrs:
        attrs = attrs.replace('class="', 'class="jx-num ', 1)
    else:
        attrs += ' class="jx-num"'
    return f"<td{attrs}>{match['text']}</td>"


def write_html(page: str, target: Path) -> Path:
    """Write a page atomically: readers see the old file or the whole new one, never a part."""
    with atomic_path(target) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return target


def pdf_support() -> None:
    """Check that WeasyPrint and its system libraries are there; say what to install if not."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        raise ReportError("生成 PDF 需要 WeasyPrint，请先安装：pip install weasyprint") from None
    except OSError as exc:  # WeasyPrint loads pango with cffi when imported
        raise ReportError(
            f"WeasyPrint 缺少系统库（{exc}）。Debian/Ubuntu 请安装："
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0；"
            "其他系统见 WeasyPrint 文档“Installation”一节"
        ) from None


def write_pdf(page: str, target: Path) -> Path:
    """Print a report page to an A4 PDF with WeasyPrint, atomically; nothing is fetched."""
    pdf_support()
    import weasyprint

    # Properties only browsers know (line-break, overflow) would be logged for every page.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with atomic_path(target) as tmp:
        weasyprint.HTML(string=page, url_fetcher=_data_only()).write_pdf(str(tmp))
    return target


def _data_only() -> Any:
    """A WeasyPrint URL fetcher that loads ``data:`` URIs and nothing else."""
    import weasyprint

    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before 66 takes a function

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ReportError(f"报告引用了外部地址，已拒绝：{url}")
            return weasyprint.default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"})
