"""Word reports: built from the rendered HTML, they hold its headings, totals and tables."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MINI
from docx import Document
from docx.oxml.ns import qn

from jxkit.render.batch import render_batch
from jxkit.report.kinds import jobs_for_dataset


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docx")
    data = root / "data"
    shutil.copytree(MINI, data)
    jobs = [
        j
        for j in jobs_for_dataset(data, kinds=["project", "unit", "summary"])
        if j.key in {"P-002", "C01-2021", "summary-2021"}
    ]
    assert len(jobs) == 3
    result = render_batch(jobs, root / "out", workers=1, formats=["html", "docx"], progress=False)
    assert not result.failed, [r.error for r in result.failed]
    return root / "out"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html_tables(page: Path) -> list[list[list[str]]]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [
        [[_squash(c.get_text(" ")) for c in tr.find_all(["th", "td"])] for tr in t.find_all("tr")]
        for t in soup.select("main table")
        if t.find_parent(class_="jx-cover") is None  # the cover's lines are centred paragraphs
    ]


def _html_headings(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [_squash(h.get_text(" ")) for h in soup.select("main h2, main h3")]


@pytest.mark.parametrize("rel", ["project/P-002", "unit/C01-2021", "summary-2021"])
def test_docx_holds_the_headings_and_tables_of_the_html(rendered: Path, rel: str) -> None:
    doc = Document(str(rendered / f"{rel}.docx"))
    html = rendered / f"{rel}.html"
    paragraphs = [_squash(p.text) for p in doc.paragraphs]
    for heading in _html_headings(html):
        assert heading in paragraphs, heading
    tables = [[[_squash(c.text) for c in row.cells] for row in t.rows] for t in doc.tables]
    assert tables == _html_tables(html)  # every table, every cell, totals included


def test_project_docx_in_official_style(rendered: Path) -> None:
    doc = Document(str(rendered / "project" / "P-002.docx"))
    by_text = {_squash(p.text): p for p in doc.paragraphs}
    heading = by_text["一、基本情况"]
    assert heading.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert (
        by_text["（一）项目概况"].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    )
    body = next(p for p in doc.paragraphs if p.text.startswith("经自评"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert "75.00" in body.text  # P-002's hand-computed total, as the HTML says it
    header_rows = [t.rows[0]._tr.trPr for t in doc.tables if t.rows[0]._tr.trPr is not None]
    assert any(pr.find(qn("w:tblHeader")) is not None for pr in header_rows)
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.replace(" ", "") == "——" and "PAGE" in footer._p.xml
    assert doc.inline_shapes, "charts embedded as images"
    assert doc.core_properties.comments == "jxkit"  # generator in the metadata only
    assert not any("jxkit" in p.text for p in doc.paragraphs)
