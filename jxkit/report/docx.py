"""Word (.docx) reports in the style of Chinese official documents (GB/T 9704), from the HTML.

The Word file is built from the report's own HTML page, so it holds the same headings,
totals and tables: title in 方正小标宋 二号, 一级 headings 黑体 and 二级 楷体 三号, body
仿宋 三号 (tables 五号), East-Asian font names set on every run so Word shows them; table
header rows repeat on each page; charts are the same PNGs; page numbers "— 1 —" at the
foot. A machine without those fonts shows its substitutes; the names stay in the file.
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..dataset.tables import atomic_path

if TYPE_CHECKING:
    from bs4 import Tag
    from docx.document import Document as DocxDocument
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

__all__ = ["FONTS", "html_to_docx", "write_docx"]

#: The fonts of GB/T 9704 by role (East-Asian name; the Latin name follows it).
FONTS = {
    "title": "方正小标宋简体",
    "h2": "黑体",
    "h3": "楷体_GB2312",
    "body": "仿宋_GB2312",
}
_LATIN = "Times New Roman"
#: Sizes in points: 二号 22, 三号 16, 四号 14, 五号 10.5.
_SIZE = {"title": 22.0, "h2": 16.0, "h3": 16.0, "body": 16.0, "table": 10.5, "small": 12.0}
_BLOCKS = {"h1", "h2", "h3", "h4", "p", "table", "ol", "ul", "img", "pre", "figcaption"}


def _font(run: Any, role: str, size: float, *, bold: bool = False) -> None:
    """Set a run's Latin and East-Asian font (Word reads w:eastAsia for Chinese text)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = _LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONTS[role])


def _text(tag: Tag) -> str:
    return re.sub(r"\s+", " ", tag.get_text(" ")).strip()


def _outline(p: Paragraph, level: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    p._p.get_or_add_pPr().append(el)


def _widths(rows: list[list[str]], n: int) -> list[Any]:
    """Column widths by how much each column holds (a long text column gets the room)."""
    from docx.shared import Mm

    longest = [max((len(r[j]) for r in rows if j < len(r)), default=1) for j in range(n)]
    weights = [min(max(x, 5), 18) for x in longest]
    return [Mm(156 * w / sum(weights)) for w in weights]


class _Writer:
    def __init__(self) -> None:
        from docx import Document

        self.doc: DocxDocument = Document()
        self._page()
        self._styles()

    def _page(self) -> None:
        from docx.shared import Mm

        for s in self.doc.sections:
            s.page_width, s.page_height = Mm(210), Mm(297)
            s.top_margin, s.bottom_margin = Mm(37), Mm(35)
            s.left_margin, s.right_margin = Mm(28), Mm(26)
            self._page_number(s.footer.paragraphs[0])

    def _page_number(self, p: Paragraph) -> None:
        """ "— 1 —" centred at the foot: a PAGE field between two dashes."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run("— "), "body", 14)
        run = p.add_run()
        _font(run, "body", 14)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._element.append(el)
        _font(p.add_run(" —"), "body", 14)

    def _styles(self) -> None:
        from docx.oxml.ns import qn
        from docx.shared import Pt

        normal = self.doc.styles["Normal"]
        normal.font.name = _LATIN
        normal.font.size = Pt(_SIZE["body"])
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONTS["body"])
        normal.paragraph_format.line_spacing = Pt(28)
        normal.paragraph_format.space_after = Pt(0)

    # -- blocks -------------------------------------------------------------------------

    def heading(self, text: str, level: int) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(6)
        if level == 1:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(36)
            _font(p.add_run(text), "title", _SIZE["title"])
            return
        p.paragraph_format.first_line_indent = Pt(32)
        role = "h2" if level == 2 else "h3"
        _font(p.add_run(text), role, _SIZE[role])
        _outline(p, level - 2)  # in Word's navigation pane and its table of contents

    def paragraph(
        self, text: str, *, size: float | None = None, center: bool = False, indent: bool = True
    ) -> Paragraph:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            p.paragraph_format.first_line_indent = Pt(2 * (size or _SIZE["body"]))
        _font(p.add_run(text), "body", size or _SIZE["body"])
        return p

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, tag: Tag) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        head = [[_text(c) for c in tr.find_all(["th", "td"])] for tr in tag.select("thead tr")]
        body = [
            [_text(c) for c in tr.find_all(["th", "td"])]
            for tr in tag.find_all("tr")
            if tr.find_parent("thead") is None
        ]
        rows = head + body
        if not rows:
            return
        caption = tag.find("caption")
        if caption is not None:
            self.paragraph(_text(caption), size=_SIZE["small"], center=True)
        width = max(len(r) for r in rows)
        t = self.doc.add_table(rows=len(rows), cols=width)
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        facts = "jx-facts" in (tag.get("class") or []) or "jx-signature" in (tag.get("class") or [])
        t.autofit = False
        widths = _widths(rows, width)
        for j, w in enumerate(widths):  # the grid is what LibreOffice and WPS read
            t.columns[j].width = w
        for i, values in enumerate(rows):
            row = t.rows[i]
            if i < len(head):  # repeated at the top of every page the table runs over
                pr = row._tr.get_or_add_trPr()
                el = OxmlElement("w:tblHeader")
                el.set(qn("w:val"), "true")
                pr.append(el)
            for j, value in enumerate(values):
                self._cell(row.cells[j], value, bold=i < len(head) or (facts and j == 0))
            for j, w in enumerate(widths):
                row.cells[j].width = w

    def _cell(self, cell: _Cell, text: str, *, bold: bool) -> None:
        p = cell.paragraphs[0]
        _font(p.add_run(text), "body", _SIZE["table"], bold=bold)
        p.paragraph_format.line_spacing = 1.15

    def items(self, tag: Tag) -> None:
        numbered = tag.name == "ol"
        for i, li in enumerate(tag.find_all("li", recursive=False), 1):
            self.paragraph((f"{i}. " if numbered else "") + _text(li))

    def image(self, tag: Tag) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        src = str(tag.get("src") or "")
        m = re.match(r"data:image/(png|jpeg);base64,(.*)", src, re.S)
        if not m:
            return
        self.doc.add_picture(io.BytesIO(base64.b64decode(m.group(2))), width=Mm(150))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    def cover(self, tag: Tag) -> None:
        from docx.shared import Pt

        for _ in range(4):
            self.doc.add_paragraph()
        title = tag.find(class_="jx-cover-title")
        if title is not None:
            self.heading(_text(title), 1)
        sub = tag.find(class_="jx-cover-sub")
        if sub is not None:
            p = self.paragraph(_text(sub), center=True)
            p.paragraph_format.space_after = Pt(48)
        facts = tag.find("table")
        if facts is not None:
            for tr in facts.find_all("tr"):
                cells = [_text(c) for c in tr.find_all(["th", "td"])]
                self.paragraph("：".join(cells), center=True)
        self.page_break()

    def contents(self, tag: Tag) -> None:
        self.heading("目　录", 1)
        for li in tag.find_all("li"):
            self.paragraph(_text(li), indent=False)
        self.page_break()

    # -- walking the page ---------------------------------------------------------------

    def walk(self, tag: Tag) -> None:
        from bs4 import Tag

        for child in tag.children:
            if not isinstance(child, Tag):
                continue
            classes: list[str] = list(child.get("class") or [])
            if "jx-cover" in classes:
                self.cover(child)
            elif "jx-toc" in classes:
                self.contents(child)
            elif child.name in {"h1", "h2", "h3", "h4"}:
                self.heading(_text(child), min(int(child.name[1]), 3))
            elif child.name == "table":
                self.table(child)
            elif child.name in {"ol", "ul"}:
                self.items(child)
            elif child.name == "img":
                self.image(child)
            elif child.name == "figcaption":
                self.paragraph(_text(child), size=_SIZE["small"], center=True)
            elif child.name in {"p", "pre"}:
                if _text(child):
                    self.paragraph(_text(child), indent=child.name == "p")
            elif child.name in {"style", "script", "head", "title", "meta"}:
                continue
            else:
                self.walk(child)


def html_to_docx(page: str, *, title: str = "") -> DocxDocument:
    """A python-docx Document holding what the HTML report shows, in official style."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    w = _Writer()
    w.doc.core_properties.title = title or (soup.title.get_text() if soup.title else "")
    w.doc.core_properties.comments = "jxkit"  # the generator, in the metadata only
    w.walk(soup.find("main") or soup.body or soup)
    return w.doc


def write_docx(page: str, target: str | os.PathLike[str], *, title: str = "") -> Path:
    """Write the HTML report ``page`` as a Word file at ``target``, atomically."""
    target = Path(target)
    doc = html_to_docx(page, title=title)
    with atomic_path(target) as tmp:
        doc.save(str(tmp))
    return target
