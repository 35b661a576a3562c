"""Reports printed as a browser prints them: no page holding only a heading or a footer line.

A good, a red-lit and a reviewed project report, a unit report, the summary and a monitoring
report are rendered, printed to PDF by headless Chromium (the page numbers come from the
report's own @page rules and embedded font) and read back page by page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_workbench_e2e import CHROMIUM

from jxkit.cli import main

REPO = Path(__file__).parent.parent
REPORTS = {
    "project/XM2021000002.html": "良好的项目",
    "project/XM2021000008.html": "亮红灯的项目",
    "project/XM2021000006-review.html": "复核报告",
    "unit/330100-2021.html": "单位报告",
    "summary-2021.html": "年度汇总",
    "monitoring/2021-06-30.html": "监控报告",
}

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to print with")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    keys = "XM2021000002,XM2021000008,XM2021000006-review,330100-2021,summary-2021,monitoring-2021-06-30"
    assert (
        main(
            [
                "render",
                str(REPO / "sample_data" / "demo"),
                "--out",
                str(out),
                "--kind",
                "project,unit,summary,monitoring",
                "--only",
                keys,
                "--workers",
                "2",
            ]
        )
        == 0
    )
    pdfs = {}
    for rel in REPORTS:
        pdf = out / Path(rel).with_suffix(".pdf").name
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                (out / rel).as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pdfs[rel] = pdf
    return pdfs


@pytest.mark.parametrize("rel", list(REPORTS))
def test_every_printed_page_carries_content(printed: dict[str, Path], rel: str) -> None:
    from pypdf import PdfReader

    pages = PdfReader(printed[rel]).pages
    assert len(pages) >= 1
    for n, page in enumerate(pages, 1):
        lines = [ln for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        # the page number line (第 n 页 / 共 m 页) is the report's own footer
        assert any(("第" in ln and "页" in ln) or "⻚" in ln for ln in lines[:2] + lines[-2:]), (
            rel,
            n,
        )
        body = [ln for ln in lines if not (ln.startswith("第") and ("页" in ln or "⻚" in ln))]
        assert len(body) >= 3, f"{REPORTS[rel]} 第 {n} 页只有 {len(body)} 行：{body}"


def _page_number(line: str) -> bool:
    # the text layer may give 页 as the look-alike radical ⻚
    return line.startswith("第") and any(ch in line for ch in "页⻚") and "共" in line
