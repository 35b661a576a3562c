"""End to end, as an assessor works: ``jxkit workbench`` starts JupyterLab (menus in Chinese), a
browser runs the notebook, picks a project, types values, is asked for a reason where a value
looks wrong or points are deducted, saves; the file then holds them and ``jxkit score`` gives
the total the workbench showed. Then a colleague changes a cell on disk that the reviewer
changed too: the save is refused and the conflict listed until the reviewer chooses; and
after a kernel restart the name and the unsaved edits come back.

Needs Playwright (Python package, which carries its driver) and a Chromium binary from the
system (Debian's ``chromium``); Playwright's own browser download is never used. Set
``JXKIT_SCREENSHOTS=<folder>`` to keep screenshots of each step at a laptop's 1366×768.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import MINI, REPO

from jxkit.cli import main

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed (pip install -e '.[test]'); browser test skipped",
)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "jxkit-e2e"
NOTEBOOK_URL = "/lab/tree/%E8%AF%84%E4%BB%B7%E5%B7%A5%E4%BD%9C%E5%8F%B0-mini.ipynb"
SECOND = 1000  # Playwright counts milliseconds
REVIEW = {"I02": "950", "I03": "480", "I04": "95"}
REASONS = {"I02": "签到表核减 50 人次", "I04": "合格率按考核表核定"}


def find_chromium() -> str | None:
    found = os.environ.get("JXKIT_CHROMIUM") or next(
        (p for p in map(shutil.which, CHROMIUM_NAMES) if p), None
    )
    return found if found and Path(found).exists() else None


CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium found (tried " + ", ".join(CHROMIUM_NAMES) + "); "
    "install it (Debian: apt-get install -y chromium) to run the browser test",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """``jxkit workbench`` on a copy of the mini dataset; yields (base URL, dataset, log)."""
    data = tmp_path / "mini"
    shutil.copytree(MINI, data)
    config = tmp_path / ".jupyter"
    (config / "labconfig").mkdir(parents=True)
    # no "would you like news?" toast over the page; no user settings from this machine
    (config / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
    )
    env = dict(
        os.environ,
        JUPYTER_TOKEN=TOKEN,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(tmp_path / ".runtime"),
    )
    port = free_port()
    log = tmp_path / "lab.log"
    command = [sys.executable, "-m", "jxkit", "workbench", str(data), "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--no-browser"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: the command and JupyterLab
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not start within 60 s"
                time.sleep(0.3)
        yield base, data, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def font_config(tmp_path: Path) -> Path:
    """Fontconfig that also knows the Chinese font jxkit ships, so screenshots read."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{REPO / 'jxkit' / 'fonts'}</dir><cachedir>{tmp_path / '.fontcache'}</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return conf


def test_score_and_save_in_jupyterlab(
    lab: tuple[str, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, data, log = lab
    expect = sync_api.expect
    shots = os.environ.get("JXKIT_SCREENSHOTS")
    started = time.monotonic()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(font_config(tmp_path))},
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.set_default_timeout(30 * SECOND)

            def shot(name: str, on: sync_api.Page = page) -> None:
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    on.evaluate(
                        "document.querySelector('.jx-workbench')?.scrollIntoView({block: 'start'})"
                    )
                    on.wait_for_timeout(300)
                    on.screenshot(path=str(Path(shots) / f"{name}.png"))

            def open_notebook(on: sync_api.Page, url: str) -> None:
                on.goto(f"{base}{url}?token={TOKEN}")
                on.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60 * SECOND)
                # Run All before the kernel is up would ask which kernel to start
                on.locator(".jp-StatusBar-Widget", has_text="空闲").first.wait_for(
                    timeout=60 * SECOND
                )

            def run_all(on: sync_api.Page = page) -> None:  # JupyterLab's own menus, in Chinese
                on.locator(".lm-MenuBar-itemLabel", has_text="运行").first.click()
                on.locator(".lm-Menu-itemLabel", has_text="运行所有单元格").first.click()
                on.locator(".jx-workbench .jx-bar").wait_for(timeout=90 * SECOND)

            open_notebook(page, NOTEBOOK_URL)

            expect(page.locator(".lm-MenuBar-itemLabel", has_text="文件").first).to_be_visible()
            run_all()
            shot("1-pick")

            page.fill(".jx-search input", "P-001")
            page.wait_for_function(
                "document.querySelectorAll('.jx-project select option').length === 1"
            )
            page.click(".jx-open")
            page.locator(".jx-row-I02 .jx-value input").wait_for()
            page.fill(".jx-row-I02 .jx-value input", "abc")
            expect(page.locator(".jx-row-I02 .jx-msg")).to_contain_text("完成值应为数字")
            shot("2-invalid")
            for iid, value in REVIEW.items():
                page.fill(f".jx-row-{iid} .jx-value input", value)
            page.select_option(".jx-row-I05 .jx-value select", "好")
            page.fill(".jx-row-I03 .jx-note-field input", "人均成本按决算核定")
            page.fill(".jx-user input", "测试评价员")
            page.fill(".jx-row-I04 .jx-value input", "120")  # a slip: asks for a reason
            expect(page.locator(".jx-row-I04 .jx-msg")).to_contain_text("百分比 120 超过 100%")
            shot("2b-plausibility")
            page.fill(".jx-row-I04 .jx-value input", "95")
            page.click(".jx-save")  # deductions without 扣分理由 are refused, by name
            expect(page.locator(".jx-save-status")).to_contain_text("需说明理由：培训人次")
            expect(page.locator(".jx-save-status")).to_contain_text("培训合格率")
            shot("2c-reason-refused")
            for iid, why in REASONS.items():
                page.fill(f".jx-row-{iid} .jx-note-field input", why)
            expect(page.locator(".jx-pending")).to_contain_text("未保存的修改 4 项")
            expect(page.locator(".jx-total .jx-total-value")).not_to_have_text("—")
            expect(page.locator(".jx-row-I03 .jx-note-field input")).to_have_value(
                "人均成本按决算核定"
            )
            shown = page.inner_text(".jx-total .jx-total-value").strip()
            shot("3-filled")
            page.click(".jx-save")
            expect(page.locator(".jx-save-status")).to_contain_text("已保存 7 处修改")
            shot("4-saved")
            page.locator(".jx-tabs .lm-TabBar-tab", has_text="复核底稿").click()
            expect(page.locator(".jx-compare")).to_contain_text(shown)
            expect(page.locator(".jx-workpaper th").nth(3)).to_have_text("指标性质")
            # all columns readable at 1366×768: nothing wider than the panel
            assert page.evaluate(
                "(() => { const t = document.querySelector('.jx-workpaper');"
                " return t.scrollWidth <= t.parentElement.clientWidth + 1; })()"
            )
            page.click(".jx-export-one")
            expect(page.locator(".jx-export-status")).to_contain_text("已导出 1 个项目的底稿")
            shot("5-workpaper")

            # a colleague saves 940 where the reviewer now types 960: refused, listed, chosen
            page.locator(".jx-tabs .lm-TabBar-tab", has_text="评分").first.click()
            page.fill(".jx-row-I02 .jx-value input", "960")
            expect(page.locator(".jx-pending")).to_contain_text("未保存的修改 1 项")
            file = data / "evaluations.csv"
            text = file.read_text(encoding="utf-8-sig")
            file.write_text(text.replace("P-001,I02,review,950", "P-001,I02,review,940"), "utf-8")
            page.click(".jx-save")
            expect(page.locator(".jx-save-status")).to_contain_text("您和他人都改过")
            expect(page.locator(".jx-conflict")).to_contain_text("他人改为 “940”")
            page.click(".jx-reload")
            # the reload's own message replaces the save's, and the conflict is listed anew:
            # only then are its buttons the ones that count
            expect(page.locator(".jx-save-status")).not_to_contain_text("您和他人都改过")
            expect(page.locator(".jx-conflict")).to_contain_text("您改为 “960”")
            shot("6-conflict")
            page.click(".jx-keep-mine")
            expect(page.locator(".jx-save-status")).to_contain_text("冲突已全部处理")
            page.click(".jx-save")
            expect(page.locator(".jx-save-status")).to_contain_text("已保存 1 处修改")

            # unsaved edits and the name survive a kernel restart
            page.fill(".jx-row-I03 .jx-value input", "470")
            expect(page.locator(".jx-pending")).to_contain_text("未保存的修改 1 项")
            page.locator(".lm-MenuBar-itemLabel", has_text="内核").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="重启内核").first.click()
            page.locator(".jp-Dialog .jp-mod-accept").click()
            page.locator(".jp-StatusBar-Widget", has_text="空闲").first.wait_for(
                timeout=60 * SECOND
            )
            # one line on what to do, not a page of broken widgets
            hint = page.evaluate(
                "getComputedStyle(document.querySelector('.jx-workbench'), '::after').content"
            )
            assert "请点菜单“运行 → 运行所有单元格”重新打开" in hint
            assert not page.locator(".jx-workbench .jx-bar").is_visible()
            shot("7a-after-restart")
            run_all()
            expect(page.locator(".jx-user input")).to_have_value("测试评价员")
            expect(page.locator(".jx-row-I03 .jx-value input")).to_have_value("470")
            expect(page.locator(".jx-notice")).to_contain_text("已从草稿恢复 1 项")
            shot("7-restarted")

            # a second page on the same dataset (its own notebook and kernel)
            second = data.parent / "评价工作台-mini-2.ipynb"
            shutil.copy(data.parent / "评价工作台-mini.ipynb", second)
            other = browser.new_page(viewport={"width": 1366, "height": 768})
            other.set_default_timeout(30 * SECOND)
            # its own workspace, so that page 1's tabs are not opened again in page 2
            open_notebook(other, "/lab/workspaces/second/tree/" + urllib.parse.quote(second.name))
            run_all(other)
            other.locator(".jx-tabs .lm-TabBar-tab", has_text="选择项目").first.click()
            other.fill(".jx-search input", "P-003")
            other.wait_for_function(
                "document.querySelectorAll('.jx-project select option').length === 1"
            )
            other.click(".jx-open")
            other.fill(".jx-row-K02 .jx-value input", "4100")
            other.fill(".jx-row-K02 .jx-note-field input", "按台账核定")
            other.click(".jx-save")
            expect(other.locator(".jx-save-status")).to_contain_text("已保存 2 处修改")
            page.fill(".jx-row-I03 .jx-note-field input", "按决算核定")
            page.click(".jx-save")  # merges: page 1 writes I03 only and shows page 2's K02
            expect(page.locator(".jx-save-status")).to_contain_text("已保存 2 处修改")
            expect(page.locator(".jx-save-status")).to_contain_text("他人保存了 2 处修改")
            expect(page.locator(".jx-save-status")).to_contain_text("4000 → 4100")
            shot("8-two-pages")
            other.click(".jx-reload")
            expect(other.locator(".jx-save-status")).to_contain_text("480 → 470")
            expect(other.locator(".jx-row-K02 .jx-value input")).to_have_value("4100")
            shot("9-second-page-reloaded", other)

            # the report renders in the background and opens in a tab of its own
            page.locator(".jx-tabs .lm-TabBar-tab", has_text="报告").click()
            page.click(".jx-report")
            expect(page.locator(".jx-report-link")).to_contain_text("正在后台生成")
            page.locator(".jx-tabs .lm-TabBar-tab", has_text="评分").first.click()
            page.fill(".jx-row-I04 .jx-evidence input", "考核表")  # usable meanwhile
            expect(page.locator(".jx-pending")).to_contain_text("未保存的修改 1 项")
            page.locator(".jx-tabs .lm-TabBar-tab", has_text="报告").click()
            link = page.locator(".jx-report-open")
            link.wait_for(timeout=120 * SECOND)
            href = link.get_attribute("href") or ""
            assert href.startswith("/files/") and link.get_attribute("target") == "_blank"
            with page.context.expect_page() as opened:
                link.click()
            report = opened.value
            report.wait_for_load_state()
            assert "2021年杭州市职工技能培训" in report.content()
            shot("10-report")
        except Exception:
            if shots:
                page.screenshot(path=str(Path(shots) / "failure.png"))
            print(log.read_text(errors="replace")[-3000:])
            raise
        finally:
            browser.close()
    seconds = time.monotonic() - started

    saved = pd.read_csv(data / "evaluations.csv", dtype=str, keep_default_na=False)
    review = saved[(saved["project_id"] == "P-001") & (saved["round"] == "review")]
    assert dict(zip(review["indicator_id"], review["actual"], strict=True)) == {
        **REVIEW,
        "I02": "960",
        "I03": "470",
        "I05": "好",
    }
    k02 = saved[(saved["project_id"] == "P-003") & (saved["indicator_id"] == "K02")]
    assert k02[k02["round"] == "review"]["actual"].tolist() == ["4100"]  # not reverted
    assert review.set_index("indicator_id").at["I03", "note"] == "按决算核定"
    changes = pd.read_csv(data / "修改记录.csv", dtype=str, keep_default_na=False)
    assert set(changes["修改人"]) == {"测试评价员"} and len(changes) == 12
    assert ["940", "960"] in changes[["原值", "新值"]].values.tolist()  # over the value seen
    capsys.readouterr()
    assert main(["score", str(data), "--round", "review"]) == 0
    scores = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"project_id": str})
    expected = scores.set_index("project_id").at["P-001", "total"]
    assert shown == "90.50"  # before the reviewer's 960 on I02: 28.8 instead of 28.5 points
    assert f"{expected:.2f}" == "90.80"
    paper = pd.read_excel(tmp_path / "复核底稿-P-001.xlsx", sheet_name="P-001", header=4, dtype=str)
    assert paper.columns[:3].tolist() == ["一级指标", "二级指标", "三级指标"]
    assert paper.iloc[1]["复核完成值"] == "950"  # as saved when exported
    assert seconds < 150, f"the browser part took {seconds:.0f} s"
