"""Hand-made 项目支出绩效自评表 workbooks for tests/test_forms.py (run: python make_forms.py).

Each workbook shows variants real files have: a form that starts at C5, amounts in 元,
split target columns, full-width digits, every sign, bare ``（50分）`` cells, placeholder
rows, a blank 执行率; bad.xlsx has one bad cell per sheet; wrong.xlsx published scores
wrong in each way ``jxkit recheck`` reports. The expected values in the tests are worked
out by hand from the rows written here.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).parent

Row = tuple[
    str, str, str, str, str, object, object, str
]  # 一级 二级 三级 指标值 实际 分值 得分 偏差


def put_form(
    ws: Worksheet,
    rows: list[Row],
    *,
    top: int = 1,
    left: int = 1,
    year: str = "（2021年度）",
    name: str = "职工职业技能培训项目",
    department: str = "浙江省总工会",
    unit: str = "浙江省职工服务中心",
    money: str = "项目资金（万元）",
    funds: tuple[object, object, object, object, object, object] = (50, 50, 45, 10, "90.00%", 9),
    total: tuple[object, object] = (100, None),
    split: bool = False,
    merge: bool = True,
) -> None:
    """Write one form with its top-left cell at (top, left) (1-based)."""

    def put(r: int, c: int, v: object) -> None:
        cell = ws.cell(top + r, left + c, v)
        if isinstance(v, str) and v.startswith("="):  # "=100%" is text, not a formula
            cell.data_type = "s"

    put(0, 0, "项目支出绩效自评表")
    put(1, 0, year)
    put(2, 0, "项目名称")
    put(2, 1, name)
    put(3, 0, "主管部门")
    put(3, 1, department)
    put(3, 4, "实施单位")
    put(3, 5, unit)
    put(4, 0, money)
    for c, h in enumerate(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"], 2):
        put(4, c, h)
    put(5, 1, "年度资金总额")
    for c, v in enumerate(funds, 2):
        put(5, c, v)
    for r, label in enumerate(["其中：本年财政拨款", "上年结转资金", "其他资金"], 6):
        put(r, 1, label)
    put(9, 0, "年度总体目标")
    put(9, 1, "预期目标")
    put(9, 5, "实际完成情况")
    put(10, 1, "完成年度培训任务")
    put(10, 5, "已完成")
    head = ["绩效指标", "一级指标", "二级指标", "三级指标"]
    head += ["指标性质", "指标值", "度量单位"] if split else ["年度指标值"]
    head += ["实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    for c, h in enumerate(head):
        put(11, c, h)
    last1 = last2 = ""
    for i, (l1, l2, l3, target, actual, points, score, note) in enumerate(rows):
        r = 12 + i
        if split:
            sign, value, unit_ = target.split("|")
            cells = [l1, l2, l3, sign, value, unit_, actual, points, score, note]
        else:
            cells = [l1, l2, l3, target, actual, points, score, note]
        for c, v in enumerate(cells, 1):
            if c in (1, 2) and merge and v == (last1 if c == 1 else last2):
                continue  # merged down: only the first cell holds the text
            put(r, c, v if v != "" else None)
        last1, last2 = l1 or last1, l2 or last2
    end = 12 + len(rows)
    put(end, 0, "总分")
    put(end, len(head) - 3, total[0])
    put(end, len(head) - 2, total[1])
    if merge:
        ws.merge_cells(
            start_row=top, start_column=left, end_row=top, end_column=left + len(head) - 1
        )
        ws.merge_cells(
            start_row=top + 12, start_column=left, end_row=top + end - 1, end_column=left
        )


GOOD: list[Row] = [
    ("产出指标（50分）", "数量指标", "培训人次", "≥500人次", "520", 20, 20, ""),
    ("", "质量指标", "培训合格率", "≥95%", "98%", 15, 15, ""),
    ("", "时效指标", "按时完成率", "=100%", "100%", 10, 10, ""),
    ("", "成本指标", "人均培训成本", "≤800元", "750元", 5, 5, ""),
    ("效益指标（30分）", "社会效益", "职工技能提升", "达成预期指标", "达成预期指标", 20, 20, ""),
    ("", "可持续影响", "安全事故", "=0起", "0", 10, 10, ""),
    (
        "满意度指标（10分）",
        "服务对象满意度",
        "参训职工满意度",
        "≥90%",
        "85%",
        10,
        9.44,
        "个别课程安排偏紧",
    ),
]


def good() -> None:
    """Two forms and a sheet with none; amounts in 万元, the national layout."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "培训项目"
    put_form(ws, GOOD, total=(100, 98.44))
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "本工作簿为 2021 年度项目支出绩效自评表。"
    ws2 = wb.create_sheet("帮扶项目")
    put_form(
        ws2,
        [
            ("产出指标（60分）", "数量指标", "帮扶户数", "不少于200户", "210户", 30, 30, ""),
            ("", "数量指标", "走访人次", "1.2万人次以上", "12500", 30, 30, ""),
            ("效益指标（30分）", "社会效益", "困难职工生活改善", "有效", "部分达成", 30, 24, ""),
        ],
        name="困难职工帮扶项目",
        unit="浙江省总工会",
        funds=(100, 120, 108, 10, "90.00%", 9),
        total=(100, 93),
    )
    wb.save(HERE / "good.xlsx")


def variants() -> None:
    """A form at C5, amounts in 元, every sign and number style, bare (50分), placeholders."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "自评表"
    rows: list[Row] = [
        ("（50分）", "数量指标", "开展活动场次", "≧１２场", "１２", 5, 5, ""),
        ("", "数量指标", "覆盖职工人数", ">=1,000人", "1,200人", 5, 5, ""),
        ("", "数量指标", "发放资料", "＞=2万份", "2万份", 5, 5, ""),
        ("", "数量指标", "参与单位", "不低于30家", "30", 5, 5, ""),
        ("", "数量指标", "宣传报道", "10篇及以上", "12篇", 5, 5, ""),
        ("", "质量指标", "资金到位率", "═100%", "100%", 5, 5, ""),
        ("", "质量指标", "验收合格率", "＝100％", "100", 5, 5, ""),
        ("", "时效指标", "完成时限", "≦30天", "28天", 5, 5, ""),
        ("", "成本指标", "活动成本", "<=0.5亿元", "0.4亿元", 5, 5, ""),
        ("", "成本指标", "单场成本", "不超过3万元", "2.5万元", 5, 5, ""),
        ("", "数量指标", "指标1：", "", "", None, None, ""),
        ("", "数量指标", "……", "", "", None, None, ""),
        ("（30分）", "社会效益", "投诉次数", "5次以内", "2", 10, 10, ""),
        ("", "社会效益", "违规事件", "≤0起", "0", 10, 10, ""),
        ("", "社会效益", "影响人数", ">100人", "150", 5, 5, ""),
        ("", "社会效益", "负面舆情", "<3次", "1", 5, 5, ""),
        ("（10分）", "服务对象满意度", "职工满意度", "90%以上", "95%", 10, 10, ""),
    ]
    put_form(
        ws,
        rows,
        top=5,
        left=3,
        money="项目资金（元）",
        funds=("500,000", "５００，０００", "450,000.50", 10, None, 9),
        name="职工文体活动项目",
        total=(100, 99),
    )
    wb.save(HERE / "variants.xlsx")


def split() -> None:
    """The 指标性质 · 指标值 · 度量单位 variant, cells not merged (each row repeats 一级)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    rows: list[Row] = [
        ("产出指标", "数量指标", "培训班期数", "≥|10|期", "10", 30, 30, ""),
        ("产出指标", "成本指标", "培训成本", "≤|20|万元", "18", 30, 30, ""),
        ("效益指标", "社会效益", "培训效果", "定性|好|", "较好", 30, 24, ""),
    ]
    put_form(ws, rows, split=True, merge=False, name="工会干部培训项目", total=(100, 93))
    two = wb.create_sheet("两行表头")
    put_form(two, rows, split=True, name="工会财务人员培训项目", total=(100, 93))
    # 年度指标值 over 指标性质 · 指标值 · 度量单位 in a second header row; name and units
    # written "label：value" in one cell
    two.insert_rows(13)
    for c, h in enumerate(["", "", "", "", "指标性质", "指标值", "度量单位"], 1):
        two.cell(13, c, h or None)
    two["E12"] = "年度指标值"
    two["F12"] = two["G12"] = None
    two["A3"], two["B3"] = "项目名称：工会财务人员培训项目", None
    two["A4"], two["B4"], two["E4"], two["F4"] = (
        "主管部门：浙江省总工会",
        None,
        "实施单位：浙江省职工服务中心",
        None,
    )
    wb.save(HERE / "split.xlsx")


def bad() -> None:
    """One bad cell per sheet, and a good sheet that must still import."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "正常"
    put_form(first, GOOD, name="正常项目", total=(100, 98.44))
    cases: dict[str, dict[str, object]] = {
        "符号无数字": {
            "row": ("产出指标（50分）", "数量指标", "培训人次", "≥好", "520", 20, 20, "")
        },
        "单位不一致": {
            "row": ("产出指标（50分）", "数量指标", "培训人次", "≥500人次", "5天", 20, 20, "")
        },
        "定性结果": {
            "row": (
                "效益指标（50分）",
                "社会效益",
                "职工技能提升",
                "达成预期指标",
                "还行",
                20,
                20,
                "",
            )
        },
        "分值非数字": {
            "row": ("产出指标（50分）", "数量指标", "培训人次", "≥500人次", "520", "二十", 20, "")
        },
        "区间": {
            "row": ("产出指标（50分）", "数量指标", "培训人次", "500-600人次", "520", 20, 20, "")
        },
        "无年度": {"year": "（年度）"},
        "无金额单位": {"money": "项目资金"},
    }
    for title, case in cases.items():
        ws = wb.create_sheet(title)
        rows = [case["row"], *GOOD[1:]] if "row" in case else GOOD  # type: ignore[list-item]
        extra = {k: v for k, v in case.items() if k != "row"}
        put_form(ws, rows, name=f"项目（{title}）", **extra)  # type: ignore[arg-type]
    wb.save(HERE / "bad.xlsx")


def wrong() -> None:
    """Published figures wrong in each way recheck reports (the tests say which is which)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "自评表"
    rows: list[Row] = [
        # 520/600 of 20 points is 17.33, published 20: 2.67 too high
        ("产出指标（60分）", "数量指标", "培训人次", "≥600人次", "520", 20, 20, ""),
        # full points with no actual value
        ("", "质量指标", "培训合格率", "≥95%", "", 15, 15, ""),
        # full points, the actual only repeats the target text
        ("", "时效指标", "完成时限", "≤30天", "≤30天", 15, 15, ""),
        # points add to 110: this row's 10 is the extra
        ("", "数量指标", "课程数量", "≥10门", "10", 10, 10, ""),
        # qualitative at full points (no evidence in the dataset)
        ("效益指标（30分）", "社会效益", "技能提升", "达成预期指标", "达成预期指标", 30, 30, ""),
        # 5 of 10 published although 95 ≥ 90: 5 too low
        ("满意度指标（10分）", "服务对象满意度", "满意度", "≥90%", "95%", 10, 5, ""),
    ]
    # 执行率 45/50 = 90.00%, printed 88.00%; rule gives 9, published 9
    # published scores add to 9+20+15+15+10+30+5 = 104, published total 98
    put_form(
        ws, rows, name="职工书屋建设项目", funds=(50, 50, 45, 10, "88.00%", 9), total=(110, 98)
    )
    wb.save(HERE / "wrong.xlsx")


if __name__ == "__main__":
    good()
    variants()
    split()
    bad()
    wrong()
