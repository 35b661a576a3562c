"""Report building blocks: masking personal data, escaping, number formats."""

from __future__ import annotations

import pandas as pd
import pytest

from jxkit.report.blocks import chart_points, facts, mask, pct, table, wan


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        (
            "帮扶对象花名册（杨宁海，身份证号 330119199312164956，联系电话 18971536091）、银行代发回单",
            True,
            "帮扶对象花名册（杨**，身份证号 330*************56，联系电话 189****6091）、银行代发回单",
        ),
        (
            "受助职工黄静娜（身份证 33012319930621051X）因病致困",
            True,
            "受助职工黄**（身份证 330*************1X）因病致困",
        ),
        ("发放台账 张三 13812345678", True, "发放台账 张* 138****5678"),
        (
            "困难职工李小明，身份证号330102198003151234",
            True,
            "困难职工李**，身份证号330*************34",
        ),
        ("职工培训签到表、结业证书", True, "职工培训签到表、结业证书"),  # no name here
        ("联系电话 0571-87654321", False, "联系电话 0571-****4321"),
        ("王建国 13812345678", False, "王建国 138****5678"),  # names only where asked
        ("手机138-1234-5678，电话 138 1234 5678", False, "手机138****5678，电话 138****5678"),
        ("身份证：330102 19800315 1234", False, "身份证：330*************34"),
        ("帮扶对象：欧阳娜娜，", True, "帮扶对象：欧***，"),
        ("困难职工名单：张三、李四、王五", True, "困难职工名单：张*、李*、王*"),
        ("2021年全省困难职工帮扶项目", True, "2021年全省困难职工帮扶项目"),  # not a name
        ("XM2021000001 预算 2,277,000", True, "XM2021000001 预算 2,277,000"),  # codes stay
    ],
)
def test_mask(text: str, names: bool, expected: str) -> None:
    assert mask(text, names=names) == expected


def test_table_escapes_and_formats() -> None:
    import pandas as pd

    frame = pd.DataFrame({"name": ["<b>x</b>"], "budget": [1_234_567.0], "ok": [True]})
    html = table(frame, {"name": "名称", "budget": "预算", "ok": "是否"}, formats={"budget": wan})
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x" not in html
    assert '<td class="num">123.46 万元</td>' in html and "<td>是</td>" in html
    assert "&lt;i&gt;" in facts([("项目", "<i>")])
    assert pct(0.5) == "50.0%"


# ----------------------------------------------------------------------------- numbers, times


def test_scores_have_two_decimals_and_times_are_beijing_time() -> None:
    from jxkit.report.blocks import beijing_time, score_text

    assert [score_text(x) for x in (8, 7.405, 21.1, 1234.5)] == [
        "8.00",
        "7.41",
        "21.10",
        "1,234.50",
    ]
    assert beijing_time("2026-12-01T20:49:38+00:00") == "2026-12-02 04:49（北京时间）"
    assert beijing_time("2021-03-15T09:30:00+08:00") == "2021-03-15 09:30（北京时间）"


# ----------------------------------------------------------------------------- narrative


def _rows() -> pd.DataFrame:
    """Five deductions in two first-level indicators; one cause explains two of them."""
    return pd.DataFrame(
        {
            "level1": ["预算执行", "产出指标", "产出指标", "产出指标", "产出指标", "效益指标"],
            "name": ["预算执行率", "培训人次", "合格率", "成本", "按期完成", "满意度"],
            "points": [10, 20, 10, 10, 10, 40],
            "lost": [1.0, 4.0, 0.2, 0.1, 0.0, 2.0],
            "rule": ["execution_rate", "ratio", "ratio", "inverse", "boolean", "bands"],
            "reason": [
                "执行率 90%，扣 1 分",
                "完成率 80%，扣 4 分",
                "扣 0.2 分",
                "扣 0.1 分",
                "",
                "扣 2 分",
            ],
            "note": ["", "报名不足", "报名不足", "", "", "宣传不够"],
            "flag": ["", "", "", "", "", ""],
        }
    )


def test_problems_grouped_by_first_level_indicator_small_ones_summarised() -> None:
    from jxkit.report.narrative import group_problems, problem_lines

    groups = group_problems(_rows())
    assert [g.level1 for g in groups] == ["产出指标", "效益指标", "预算执行"]  # 4.3 > 2 > 1
    lines = problem_lines(groups)
    assert lines[0] == (
        "产出指标（分值 50 分）失 4.30 分。“培训人次”完成率 80%，扣 4 分；"
        "另有 2 项指标小幅失分，合计 0.30 分（“合格率”、“成本”）。"
        "原因分析：报名不足（“培训人次”、“合格率”）。“成本”未说明偏差原因，原因待补充。"
    )
    assert lines[2].startswith("预算执行（分值 10 分）失 1.00 分。“预算执行率”执行率 90%")


def test_one_suggestion_per_problem_group() -> None:
    from jxkit.report.narrative import group_problems, suggestion_lines

    rows = _rows()
    lines = suggestion_lines(group_problems(rows), rows)
    assert len(lines) == 3
    assert lines[0] == (
        "产出指标方面：加强过程管理和进度跟踪，确保“培训人次”、“合格率”达到年度指标值；"
        "加强成本和时效控制，使“成本”不超过年度指标值。"
    )


# ----------------------------------------------------------------------------- workbooks


def test_workbook_frames_show_names_not_codes() -> None:
    from jxkit.dataset.workbook import shown_frame

    frame = pd.DataFrame(
        {
            "project_id": ["A"],
            "category": ["training"],
            "round": ["review"],
            "level": ["city"],
            "red_light": [True],
            "review_score": [8.9220485645933],
            "coverage_rate": [2 / 3],
            "time_progress": [83.333],
        }
    )
    shown = shown_frame(frame)
    assert list(shown.columns) == [
        "项目编码", "项目类别", "轮次", "层级", "红灯警示", "复核得分", "覆盖率（%）", "时间进度（%）",
    ]  # fmt: skip
    assert shown.iloc[0].tolist() == ["A", "培训类", "复核", "市总工会", "是", 8.92, 66.7, 83.3]


def test_points_chart_with_a_very_long_indicator_name_still_draws() -> None:
    """The chart measures its labels for its margins; a name longer than the figure is wide
    gets cut at the edge, the report does not fail."""
    long_name = "服务职工群众满意度与社会影响力综合评价指标" * 3
    page = chart_points([long_name, "产出指标"], [18.5, 40.0], [1.5, 0.0])
    assert page.startswith('<figure class="jx-chart"><img alt="各一级指标得分与失分"')


def test_table_reads_rows_as_iterrows_gives_them() -> None:
    """Numbers, booleans, blanks and text come out as before the rows were read as records."""
    frame = pd.DataFrame(
        {
            "name": ["甲", "乙"],
            "score": [7.405, float("nan")],
            "count": [3, 4],
            "ok": [True, False],
            "lost": [0.5, 0.0],
        }
    )
    html = table(
        frame,
        {"name": "名称", "score": "得分", "count": "个数", "ok": "达标"},
        row_class=lambda r: "lost" if r["lost"] > 0.005 else "",
    )
    assert '<tr class="lost"><td>甲</td><td class="num">7.41</td><td class="num">3</td>' in html
    assert "<td>是</td></tr>" in html and "<td>否</td></tr>" in html
    assert '<tr class=""><td>乙</td><td class="num">—</td><td class="num">4</td>' in html
