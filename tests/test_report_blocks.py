"""Report building blocks: masking personal data, escaping, number formats."""

from __future__ import annotations

import pytest

from jxkit.report.blocks import facts, mask, pct, table, wan


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
