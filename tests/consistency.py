"""One set of numbers, checked as an auditor would: every file jxkit wrote, read back.

Reads what a user files (the score CSV, the workbooks, every HTML report and the index)
without asking jxkit's code for the answer, and checks that subtotals add up to the total
shown beside them, that no score stands above its points, and that one quantity (a
project's total, grade, red light, results-application verdict, self-evaluation quality
verdict — in the score file, the report, the index page and the workbooks; a unit's total
and rank) is the same figure wherever it appears.

Used by tests/test_consistency.py; run as a script on any output folder of ``jxkit demo``
to print what it checked and what it found::

    .venv/bin/python tests/consistency.py OUT_DIR
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bs4 import BeautifulSoup

PROJECT_FIXED = {
    "project_id",
    "unit_id",
    "year",
    "category",
    "round",
    "total",
    "grade",
    "red_light",
    "flags",
}
#: Headers of a points column and a score column in a report table.
POINTS = ("分值", "折算分值")
SCORES = ("得分", "折算得分")
LOST = ("失分", "折算失分")
CENT = Decimal("0.01")
RANKING_FIXED = {"层级代码", "层级", "名次", "单位编码", "名称", "单位名称", "年度", "总分", "等级"}


@dataclass
class Audit:
    """What was checked and what disagreed."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def same(self, what: str, a: object, b: object) -> None:
        self.checked += 1
        if a != b:
            self.problems.append(f"{what}：{a!r} ≠ {b!r}")

    def true(self, what: str, ok: bool) -> None:
        self.checked += 1
        if not ok:
            self.problems.append(what)


def number(text: object) -> Decimal | None:
    """A figure as printed: "1,234.50", "96.9%", "9.6" → Decimal; blanks and words → None."""
    s = str(text).strip().replace(",", "")
    if not s or s in {"—", "-", "不适用", "nan", "None"}:
        return None
    try:
        return Decimal(s.rstrip("%"))
    except InvalidOperation:
        return None


# ----------------------------------------------------------------------------- reading


@dataclass
class Table:
    where: str
    header: list[str]
    rows: list[list[str]]

    def column(self, names: Iterable[str]) -> int | None:
        for name in names:
            if name in self.header:
                return self.header.index(name)
        return None


def html_tables(path: Path) -> tuple[BeautifulSoup, list[Table]]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for i, t in enumerate(soup.find_all("table", class_="jx-table")):
        head = [th.get_text(" ", strip=True) for th in t.find("thead").find_all("th")]
        body = [
            [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
            for tr in t.find("tbody").find_all("tr")
        ]
        tables.append(Table(f"{path.name} 表 {i + 1}", head, body))
    return soup, tables


def text_of(soup: BeautifulSoup) -> str:
    return soup.get_text("", strip=False)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_sheets(path: Path) -> dict[str, list[dict[str, object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            sheets[ws.title] = []
            continue
        header = [str(h) for h in rows[0]]
        sheets[ws.title] = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    book.close()
    return sheets


def cell(value: object) -> Decimal | None:
    """A workbook cell as the figure Excel shows (2 decimals for scores)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return Decimal(repr(float(value))).quantize(CENT)
    return number(value)


# ----------------------------------------------------------------------------- checks


def check_sum_table(audit: Audit, t: Table) -> None:
    """A table with a 合计 row: each column of points, scores and lost adds up to it, and no
    score stands above its points."""
    if not t.rows or t.rows[-1][0] != "合计":
        return
    body = t.rows[:-1]
    for names in (POINTS, SCORES, LOST):
        c = t.column(names)
        if c is None:
            continue
        values = [number(r[c]) for r in body]
        total = number(t.rows[-1][c])
        audit.same(
            f"{t.where}：“{t.header[c]}”各行之和与合计",
            sum((v for v in values if v is not None), Decimal(0)),
            total,
        )
    p, s = t.column(POINTS), t.column(SCORES)
    if p is not None and s is not None:
        for r in t.rows:
            points, score = number(r[p]), number(r[s])
            if points is not None and score is not None:
                audit.true(f"{t.where}：{r[0]} 得分 {score} 高于分值 {points}", score <= points)


def check_subtotal_rows(
    audit: Audit, where: str, rows: list[dict[str, object]], fixed: set[str], total: str
) -> None:
    """Rows whose subtotal columns (all but ``fixed``) add up to ``total``."""
    for r in rows:
        subs = [cell(v) for k, v in r.items() if k not in fixed and k != total]
        subs_d = [v for v in subs if v is not None]
        if subs_d and r.get(total) not in (None, ""):
            audit.same(
                f"{where} {r.get('project_id') or r.get('项目编码') or r.get('单位编码')}：小计之和与总分",
                sum(subs_d),
                cell(r[total]),
            )


@dataclass
class Facts:
    """What the score file says of each project and round."""

    total: dict[tuple[str, str], Decimal]
    grade: dict[tuple[str, str], str]
    red: dict[tuple[str, str], bool]


def score_facts(audit: Audit, path: Path) -> Facts:
    rows = read_csv(path)
    check_subtotal_rows(audit, path.name, rows, PROJECT_FIXED, "total")  # type: ignore[arg-type]
    key = [(r["project_id"], r["round"]) for r in rows]
    return Facts(
        {k: Decimal(r["total"]) for k, r in zip(key, rows, strict=True)},
        {k: r["grade"] for k, r in zip(key, rows, strict=True)},
        {k: r["red_light"] in ("True", "true", "是", "1") for k, r in zip(key, rows, strict=True)},
    )


_VERDICT = re.compile(r"结果应用：([^（。]+)[（。]")
_QUALITY = re.compile(r"自评质量判定：(自评质量[^（。]+)（")
_ASSESS_RANK = re.compile(r"工作考核排名[^：]*：在 (\d+) 个[^中]+中排名第 (\d+)")


def check_project_reports(
    audit: Audit, out: Path, facts: Facts, actions: dict[str, str], verdicts: dict[str, str]
) -> None:
    seen: dict[str, set[str]] = {}
    for page in sorted((out / "project").glob("*.html")):
        pid = page.stem.removesuffix("-review")
        round = "review" if page.stem.endswith("-review") else "self"
        if (pid, round) not in facts.total:  # a review-only batch names review reports by id
            round = "review"
        key = (pid, round)
        soup, tables = html_tables(page)
        text = text_of(soup)
        headline = soup.find(class_="jx-total")
        audit.same(f"{page.name} 标题总分与得分文件", number(headline.get_text()), facts.total[key])
        badges = [b.get_text(strip=True) for b in soup.find_all(class_="jx-badge")]
        audit.same(f"{page.name} 等级与得分文件", badges[0], facts.grade[key])
        audit.same(f"{page.name} 红灯与得分文件", "红灯警示" in badges, facts.red[key])
        for t in tables:
            check_sum_table(audit, t)
        conclusion = next((t for t in tables if t.rows and t.rows[-1][0] == "合计"), None)
        if conclusion is not None:
            c = conclusion.column(SCORES)
            audit.same(
                f"{page.name} 三、综合评价结论合计与标题总分",
                number(conclusion.rows[-1][c]),
                facts.total[key],
            )
        m = _VERDICT.search(text)
        if pid in actions:
            audit.same(
                f"{page.name} 结果应用与结果应用.xlsx", m.group(1) if m else None, actions[pid]
            )
        if m:
            seen.setdefault(pid, set()).add(m.group(1))
        if pid in verdicts:
            q = _QUALITY.search(text)
            audit.same(
                f"{page.name} 自评质量判定与复核比较.xlsx", q.group(1) if q else None, verdicts[pid]
            )
    for pid, said in seen.items():
        audit.same(f"项目 {pid} 各份报告的结果应用", len(said), 1)


def check_index(audit: Audit, out: Path, facts: Facts) -> None:
    """The index page's total, grade and red light of each project report."""
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.find("table", id="reports")
    header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    at = {h: i for i, h in enumerate(header)}
    for tr in table.find("tbody").find_all("tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        if cells[at["类型"]] != "项目":
            continue
        key = cells[at["编号"]]
        pid = key.removesuffix("-review")
        round = "review" if key.endswith("-review") or (pid, "self") not in facts.total else "self"
        k = (pid, round)
        audit.same(f"index.html {key} 总分与得分文件", number(cells[at["总分"]]), facts.total[k])
        audit.same(f"index.html {key} 等级与得分文件", cells[at["等级"]], facts.grade[k])
        audit.same(f"index.html {key} 红灯与得分文件", cells[at["红灯警示"]] == "是", facts.red[k])


def check_unit_reports(
    audit: Audit,
    out: Path,
    ranks: dict[tuple[str, int], int],
    totals: dict[tuple[str, int], Decimal],
) -> None:
    for page in sorted((out / "unit").glob("*.html")):
        unit_id, _, year = page.stem.rpartition("-")
        soup, tables = html_tables(page)
        for t in tables:
            check_sum_table(audit, t)
        text = text_of(soup)
        m = _ASSESS_RANK.search(text)
        if (unit_id, int(year)) in ranks:
            audit.same(
                f"{page.name} 工作考核排名与工作考核.xlsx",
                int(m.group(2)) if m else None,
                ranks[(unit_id, int(year))],
            )
        dims = next((t for t in tables if t.header and t.header[0] == "维度"), None)
        if dims is not None and dims.rows[-1][0] == "合计" and (unit_id, int(year)) in totals:
            c = dims.column(SCORES)
            audit.same(
                f"{page.name} 维度合计与单位整体得分.xlsx",
                number(dims.rows[-1][c]),
                totals[(unit_id, int(year))],
            )


def check_summary(
    audit: Audit,
    page: Path,
    ranks: dict[tuple[str, int], int],
    names: dict[str, str],
    sections: list[str],
) -> None:
    year = int(page.stem.removeprefix("summary-"))
    _, tables = html_tables(page)
    for t in tables:
        check_sum_table(audit, t)
        if t.header[:2] == ["名次", "单位"] and "考核得分" in t.header:
            total_at = t.header.index("考核得分")
            shown = [i for i, h in enumerate(t.header) if h.removesuffix("（折算）") in sections]
            for r in t.rows:
                unit = next((u for u, n in names.items() if n == r[1]), r[1])
                if (unit, year) in ranks:
                    audit.same(
                        f"{page.name} {r[1]} 名次与工作考核.xlsx", int(r[0]), ranks[(unit, year)]
                    )
                if shown:
                    audit.same(
                        f"{page.name} {r[1]} 各部分之和与考核得分",
                        sum((number(r[i]) or Decimal(0)) for i in shown),
                        number(r[total_at]),
                    )


def audit_outputs(out: Path, score_csv: Path) -> Audit:
    """Every cross-file check on one ``jxkit demo`` output folder and its score CSV."""
    audit = Audit()
    facts = score_facts(audit, score_csv)
    scores_xlsx = read_sheets(out / "得分.xlsx")
    rows = next(iter(scores_xlsx.values()))
    fixed_zh = {
        "项目编码",
        "单位编码",
        "年度",
        "项目类别",
        "轮次",
        "总分",
        "等级",
        "红灯警示",
        "提示",
        "预警提示",
    }
    check_subtotal_rows(audit, "得分.xlsx", rows, fixed_zh, "总分")
    for r in rows:
        key = (
            str(r["项目编码"]),
            {"自评": "self", "复核": "review"}.get(str(r["轮次"]), str(r["轮次"])),
        )
        if key in facts.total:
            audit.same(f"得分.xlsx {key} 总分与得分文件", cell(r["总分"]), facts.total[key])
    app = read_sheets(out / "结果应用.xlsx")
    actions = {str(r["项目编码"]): str(r["处置建议"]) for r in app["项目建议"] if r["处置建议"]}
    cmp_ = read_sheets(out / "复核比较.xlsx")
    verdicts = {
        str(r["项目编码"]): str(r.get("自评质量判定", r.get("verdict")))
        for r in cmp_.get("复核比较", [])
    }
    check_project_reports(audit, out, facts, actions, verdicts)
    check_index(audit, out, facts)
    ranks: dict[tuple[str, int], int] = {}
    work = read_sheets(out / "工作考核.xlsx")
    names: dict[str, str] = {}
    sections: list[str] = []
    for sheet, srows in work.items():
        if not sheet.endswith("排名"):
            continue
        for r in srows:
            ranks[(str(r["单位编码"]), int(r["年度"]))] = int(r["名次"])  # type: ignore[call-overload]
            names[str(r["单位编码"])] = str(r["名称"] if "名称" in r else r.get("单位名称"))
            sections = [
                k
                for k in r
                if k
                not in {
                    "层级代码",
                    "层级",
                    "名次",
                    "单位编码",
                    "名称",
                    "单位名称",
                    "年度",
                    "总分",
                    "等级",
                }
            ]
            audit.same(
                f"工作考核.xlsx {sheet} {r['单位编码']} 各部分之和与总分",
                sum((cell(r[k]) or Decimal(0)) for k in sections),
                cell(r["总分"]),
            )
    unit_totals: dict[tuple[str, int], Decimal] = {}
    for srows in read_sheets(out / "单位整体得分.xlsx").values():
        for r in srows:
            if str(r.get("轮次")) in ("self", "自评"):
                unit_totals[(str(r["单位编码"]), int(r["年度"]))] = cell(r["总分"])  # type: ignore[assignment, call-overload]
    check_unit_reports(audit, out, ranks, unit_totals)
    for page in sorted(out.glob("summary-*.html")):
        check_summary(audit, page, ranks, names, sections)
    return audit


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    result = audit_outputs(folder, Path(sys.argv[2]) if len(sys.argv) > 2 else folder / "得分.csv")
    print(f"核对 {result.checked} 处，不一致 {len(result.problems)} 处")
    for p in result.problems:
        print("  " + p)
