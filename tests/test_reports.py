"""Every report notebook, run through the real renderer on data, and read like a user would."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import MINI

from jxkit.cli import main
from jxkit.cli.render import run_render
from jxkit.files import notebooks_dir
from jxkit.render.batch import Job, render_batch
from jxkit.report.kinds import jobs_for_dataset

URL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini dataset with a sample, a hostile project name and personal data in evidence."""
    root = tmp_path_factory.mktemp("reports")
    data = root / "data"
    shutil.copytree(MINI, data)
    projects = pd.read_csv(data / "projects.csv", dtype=str, keep_default_na=False)
    projects.loc[projects["project_id"] == "P-001", "name"] = "<script>alert(1)</script>培训"
    projects.to_csv(data / "projects.csv", index=False)
    ev = pd.read_csv(data / "evaluations.csv", dtype=str, keep_default_na=False)
    ev.loc[(ev["project_id"] == "P-002") & (ev["indicator_id"] == "J05"), "evidence"] = (
        "困难职工王建国，身份证号330102198003151234，电话13912345678"
    )
    ev.to_csv(data / "evaluations.csv", index=False)
    (data / "report_settings.yaml").write_text(
        "委托单位: 浙江省总工会财务部\n评价机构: 某某会计师事务所\n评价人员: [张某, 李某]\n",
        encoding="utf-8",
    )
    assert (
        main(["sample", str(data), "--seed", "审计测试", "--n", "2", "--out", str(root / "sample")])
        == 0
    )
    out = root / "out"
    result = render_batch(
        jobs_for_dataset(data, sample=root / "sample"), out, workers=2, progress=False
    )
    assert not result.failed, [r.error for r in result.failed]
    return out


def html(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_every_kind_renders(rendered: Path) -> None:
    for rel in [
        "index.html",
        "summary-2021.html",
        "unit/C01-2021.html",
        "project/P-001.html",
        "project/P-003-review.html",
        "audit/sample.html",
    ]:
        assert (rendered / rel).exists(), rel
    assert (rendered / "project" / "P-002.ipynb").exists()  # executed notebook kept for provenance


@pytest.mark.parametrize(
    ("rel", "headings"),
    [
        (
            "project/P-002.html",
            [
                "一、基本情况",
                "（一）项目概况",
                "（二）绩效目标",
                "二、绩效评价工作开展情况",
                "（一）评价目的、对象与范围",
                "（二）评价原则、方法与指标体系",
                "（三）评价工作过程",
                "三、综合评价情况及评价结论",
                "四、绩效评价指标分析",
                "（一）项目决策情况",
                "（二）项目过程情况",
                "（三）项目产出情况",
                "（四）项目效益情况",
                "五、主要经验及做法、存在的问题及原因分析",
                "（一）主要经验及做法",
                "（二）存在的问题及原因分析",
                "六、有关建议",
                "七、其他需要说明的问题",
                "附件 1　评分表",
                "附件 2　佐证材料清单",
                "目　录",
                "评价机构（盖章）",
            ],
        ),
        (
            "project/P-003-review.html",
            [
                "三、综合评价情况及评价结论",
                "五、主要经验及做法、存在的问题及原因分析",
                "六、有关建议",
                "附件 1　评分表",
            ],
        ),
        (
            "unit/K01-2021.html",
            [
                "一、单位基本情况",
                "二、单位整体绩效",
                "四、三项十类绩效管理覆盖情况",
                "五、同层级单位排名",
                "六、存在的问题及原因分析",
                "七、有关建议",
                "评价机构（盖章）",
            ],
        ),
        (
            "summary-2021.html",
            [
                "一、总体情况",
                "二、红灯警示项目",
                "三、三项十类绩效管理覆盖情况",
                "四、预算安排建议",
                "五、单位排名",
                "六、存在的问题及原因分析",
                "七、有关建议",
                "目　录",
            ],
        ),
        (
            "audit/sample.html",
            ["一、抽样方法与参数", "三、抽中的单元", "四、复现与核验", "五、再评价结果比较"],
        ),
    ],
)
def test_reports_follow_their_outline_and_are_clean(
    rendered: Path, rel: str, headings: list[str]
) -> None:
    text = html(rendered, rel)
    for h in headings:
        assert h in text, h
    assert not URL.search(text), "a report must not load anything from outside"
    for bad in ("Traceback", "In&nbsp;[", "Warning", "warnings.warn", "DataFrame"):
        assert bad not in text, bad
    assert '<img alt="' in text or rel.startswith("unit/K01")  # charts embedded as data URIs


def test_project_report_content(rendered: Path) -> None:
    text = html(rendered, "project/P-002.html")
    assert "75" in text and "中" in text  # the hand-computed total and grade of P-002
    assert "完成值 900 不在合理区间 [500, 800] 内，扣 15 分" in text
    assert "改进管理，压减预算" in text  # results application from the policy file


def test_review_side_by_side(rendered: Path) -> None:
    text = html(rendered, "project/P-003-review.html")
    assert "自评得分" in text and "自评完成值" in text


def test_values_are_escaped(rendered: Path) -> None:
    text = html(rendered, "project/P-001.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;培训" in text
    assert "<script>alert(1)" not in text
    assert "<script>alert(1)" not in html(rendered, "index.html")


def test_personal_data_is_masked(rendered: Path) -> None:
    text = html(rendered, "project/P-002.html")
    assert "330102198003151234" not in text and "13912345678" not in text
    assert "王建国" not in text
    assert "330*************34" in text and "139****5678" in text and "困难职工王**" in text


def test_audit_report_proves_reproduction(rendered: Path) -> None:
    text = html(rendered, "audit/sample.html")
    assert "复现一致" in text
    assert "jxkit sample" in text and "--seed 审计测试" in text


def test_one_broken_report_does_not_stop_the_others(tmp_path: Path, capsys) -> None:
    def make_jobs(dataset, **kw):
        jobs = jobs_for_dataset(dataset, **kw)
        broken = Job(
            "project",
            "P-404",
            notebooks_dir() / "project_report.ipynb",
            {
                "dataset": str(MINI.resolve()),
                "project_id": "P-404",
                "round": "self",
                "sample_dir": "",
            },
            Path("project/P-404.html"),
            "不存在的项目",
        )
        return [*jobs, broken]

    args = argparse.Namespace(
        dataset=MINI,
        out=tmp_path / "out",
        kind=["project"],
        round=None,
        year=None,
        only=None,
        sample=None,
        workers=2,
        resume=False,
        format=["html"],
        timeout=None,
    )
    assert run_render(args, make_jobs=make_jobs) == 1
    err = capsys.readouterr().err
    assert "P-404" in err and "数据集中没有项目 P-404" in err and "--only P-404" in err
    for pid in ("P-001", "P-002", "P-003"):
        assert (tmp_path / "out" / "project" / f"{pid}.html").exists()
    assert not (tmp_path / "out" / "project" / "P-404.html").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "数据集中没有项目 P-404" in index and "失败" in index


def test_executed_notebooks_have_no_warnings_or_errors(rendered: Path) -> None:
    """stderr never reaches the HTML, so look at the executed notebooks themselves."""
    import nbformat

    executed = sorted(rendered.rglob("*.ipynb"))
    assert len(executed) >= 6
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert out.get("output_type") != "error", (path.name, out.get("evalue"))
                text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
                assert "Warning" not in text and "Glyph" not in text, (path.name, text[:200])


def test_an_incomplete_project_fails_alone(tmp_path: Path) -> None:
    """A half-entered review (e.g. one value saved) cannot be scored; only its report fails."""
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    with (data / "evaluations.csv").open("a", encoding="utf-8") as f:
        f.write("P-001,I05,review,好,,\n")
    result = render_batch(
        jobs_for_dataset(data, kinds=["project", "summary"]),
        tmp_path / "out",
        workers=2,
        progress=False,
    )
    failed = {r.job.key: r.error for r in result.failed}
    assert list(failed) == ["P-001-review"]
    assert "缺少复核完成值" in failed["P-001-review"]
    assert len(result.ok) == 5  # P-001, P-002, P-003, P-003-review, summary-2021


def test_render_policy_reaches_the_reports(tmp_path: Path) -> None:
    """A union's own grade bands (here 优 from 70, 良 from 65) grade the rendered reports too."""
    policy = tmp_path / "policy.yaml"
    text = (MINI.parent.parent.parent / "templates" / "policy.yaml").read_text(encoding="utf-8")
    policy.write_text(
        text.replace("{grade: 优, min: 90}", "{grade: 优, min: 70}").replace(
            "min: 80}", "min: 65}"
        ),
        encoding="utf-8",
    )
    args = argparse.Namespace(
        dataset=MINI,
        out=tmp_path / "out",
        kind=["project"],
        round="review",
        year=None,
        only=None,
        sample=None,
        workers=1,
        resume=False,
        format=["html"],
        timeout=None,
        policy=str(policy),
    )
    from jxkit.cli.report import run_render as render_command

    assert render_command(args) == 0
    page = (tmp_path / "out" / "project" / "P-003.html").read_text(encoding="utf-8")
    assert "评价等级为“优”" in page  # 70 points: 中 by default, 优 under this policy


#: Column names of our tables and outputs that must never reach a reader.
ENGLISH = re.compile(
    r"(?<![A-Za-z_])(project_id|unit_id|indicator_id|self_total|review_total|review_score|"
    r"self_score|red_light|inclusion_probability|stratum|verdict|category|budget|level_name|"
    r"coverage_rate|execution_rate|True|False|NaN|None)(?![A-Za-z_])"
)


def _visible(page: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["style", "script", "head", "pre"]):  # <pre>: commands to run, not prose
        tag.decompose()
    return soup.get_text(" ")


def test_no_english_column_name_in_any_report(rendered: Path) -> None:
    pages = sorted(rendered.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        found = ENGLISH.findall(_visible(page.read_text(encoding="utf-8")))
        assert not found, (page.name, found[:5])
        assert "jxkit 生成" not in page.read_text(encoding="utf-8"), page.name


def test_no_english_column_name_in_any_workbook(rendered: Path, tmp_path: Path) -> None:
    import openpyxl

    data = rendered.parent / "data"
    assert main(["coverage", str(data), "--year", "2021", "--out", str(tmp_path / "c.xlsx")]) == 0
    assert main(["results", str(data), "--year", "2021", "--out", str(tmp_path / "r.xlsx")]) == 0
    books = [tmp_path / "c.xlsx", tmp_path / "r.xlsx", rendered.parent / "sample" / "sample.xlsx"]
    for book in books:
        wb = openpyxl.load_workbook(book, read_only=True)
        for ws in wb.worksheets:
            assert not re.fullmatch(r"Sheet\d*", ws.title), book.name
            for row in ws.iter_rows(values_only=True):
                text = " ".join(str(v) for v in row if isinstance(v, str | bool))
                assert not ENGLISH.search(text), (book.name, ws.title, text)


def test_filing_parts_from_the_settings_never_invented(rendered: Path) -> None:
    text = _visible(html(rendered, "project/P-002.html"))
    assert "委托单位 浙江省总工会财务部" in text and "评价机构 某某会计师事务所" in text
    assert "评价人员 张某、李某" in text
    assert "报告日期 待补充" in text  # not given: marked, not made up
    assert "立项背景 待补充" in text
    assert "种子" not in text or "北京时间" in text


def test_problems_grouped_with_the_results_application_first(rendered: Path) -> None:
    text = _visible(html(rendered, "project/P-002.html"))
    problems = text[text.rindex("（二）存在的问题及原因分析") : text.rindex("六、有关建议")]
    advice = text[text.rindex("六、有关建议") : text.rindex("七、其他需要说明的问题")]
    assert "失 " in problems and "分。" in problems
    assert (
        advice.removeprefix("六、有关建议").split()[0].startswith("结果应用：")
    )  # the verdict first


def test_render_settings_go_to_the_reports_that_take_them(tmp_path: Path) -> None:
    from jxkit.cli.report import with_settings

    settings = tmp_path / "设置.yaml"
    jobs = with_settings(jobs_for_dataset(MINI), str(settings))
    took = {job.kind for job in jobs if job.parameters.get("settings") == str(settings)}
    assert took == {"summary", "unit", "project"}  # the notebooks with a cover
    for job in jobs:
        assert (settings in job.inputs) == (job.kind in took)  # --resume sees an edit
        if job.kind not in took:
            assert "settings" not in job.parameters  # papermill would warn of it


def test_render_settings_file_on_the_cover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "设置.yaml"
    settings.write_text("委托单位: 某市总工会\n报告日期: 2022年3月31日\n", encoding="utf-8")
    out = tmp_path / "out"
    common = [str(MINI), "--kind", "project", "--only", "P-002", "--workers", "1"]
    assert main(["render", *common, "--out", str(out), "--settings", str(settings)]) == 0
    text = _visible(html(out, "project/P-002.html"))
    assert "委托单位 某市总工会" in text and "报告日期 2022年3月31日" in text
    assert "评价机构 待补充" in text

    settings.write_text("委托单位: [未闭合\n", encoding="utf-8")
    capsys.readouterr()
    assert (
        main(["render", *common, "--out", str(tmp_path / "o2"), "--settings", str(settings)]) == 2
    )
    assert "报告设置文件" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()  # refused before any report ran


def test_rerun_command_keeps_the_policy_and_settings() -> None:
    from types import SimpleNamespace

    from jxkit.cli.render import rerun_command

    failed = SimpleNamespace(job=SimpleNamespace(kind="project", key="P-002"))
    result = SimpleNamespace(failed=[failed], stopped="")
    args = argparse.Namespace(
        dataset=Path("data"), out=Path("out"), round=None, year=None, sample=None,
        format=["html"], policy="policy.yaml", settings="settings.yaml",
    )  # fmt: skip
    assert rerun_command(args, result) == (  # type: ignore[arg-type]
        "jxkit render data --out out --kind project --policy policy.yaml --settings settings.yaml"
        " --only P-002"
    )
