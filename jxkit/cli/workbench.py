"""Subcommand ``workbench``: JupyterLab with the evaluation workbench of a dataset open.

Assessors should not have to find a notebook and edit a path: the command puts a copy of
``notebooks/workbench.ipynb`` beside the dataset with the dataset filled in (kept if it
is already there, with any notes in it), and starts JupyterLab in that folder with the
notebook open. Reports, samples and the draft also land beside the dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import JxkitError
from .common import FMT, add_dataset

__all__ = [
    "lab_settings",
    "prepare_notebook",
    "register",
    "run_workbench",
    "workbench_command",
]

#: JupyterLab's own menus in Chinese: the default the language pack (a dependency) serves.
LOCALE_SETTING = {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}

NOTEBOOK = "workbench.ipynb"
_DATASET_LINE = re.compile(r'^dataset: str = ".*?"', re.M)

DESCRIPTION = """\
打开评价工作台：在数据集所在的文件夹启动 JupyterLab，并打开该数据集的工作台笔记本
（首次使用时在数据集旁生成“评价工作台-<数据集名>.ipynb”，之后沿用）。

在工作台中：筛选并选择项目，逐项录入复核（或自评）值，得分、总分与等级即时更新；
比较自评与复核；保存到数据集（只改动录入的单元格，保留文件编码，修改记入修改记录）；
随机再评价抽样；生成项目报告。未保存的修改自动存入草稿，重启后可恢复。
按 Ctrl+C 停止 JupyterLab。"""

EPILOG = """\
示例：
  jxkit workbench sample_data/demo
  jxkit workbench 2021年项目.xlsx --port 8890
  jxkit workbench /data/复核/demo --no-browser     在服务器上运行，再用浏览器打开显示的地址"""


def register(sub: Any) -> None:
    """Add ``workbench`` to the ``jxkit`` command."""
    p = sub.add_parser(
        "workbench",
        help="打开评价工作台（JupyterLab 中录入复核评分、保存、抽样、出报告）",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=FMT,
    )
    add_dataset(p)
    p.add_argument(
        "--port", type=int, metavar="端口", help="JupyterLab 端口（默认从 8888 起自动选择）"
    )
    p.add_argument(
        "--no-browser", action="store_true", help="不自动打开浏览器（如在远程服务器上运行）"
    )
    p.set_defaults(func=run_workbench)


def prepare_notebook(dataset: str | os.PathLike[str]) -> Path:
    """The dataset's workbench notebook beside it, written from the template if missing."""
    from ..dataset import is_dataset
    from ..files import notebooks_dir

    p = Path(dataset).resolve()
    if not p.exists():
        raise JxkitError(f"数据集不存在：{dataset}")
    if not is_dataset(p):
        raise JxkitError(
            f"{p.name} 不是数据集：应为含“项目”表（projects.csv 或 项目.csv）的文件夹，"
            "或含“项目”工作表的 .xlsx 工作簿"
        )
    target = p.with_name(f"评价工作台-{p.name}.ipynb")
    if target.exists():
        return target
    text = (notebooks_dir() / NOTEBOOK).read_text(encoding="utf-8")
    doc = json.loads(text)
    for cell in doc["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"])
            line = f"dataset: str = {json.dumps(p.name, ensure_ascii=False)}"
            source = _DATASET_LINE.sub(line.replace("\\", "\\\\"), source, count=1)
            cell["source"] = source.splitlines(keepends=True)
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


def lab_settings(default_dir: Path, target: Path) -> Path:
    """JupyterLab's app settings with Chinese as the default language, in ``target``.

    The files of ``default_dir`` (the installation's app settings) are carried over, and
    a locale they already set is kept; a language a user picked in JupyterLab's own
    settings still wins, as user settings override these defaults.
    """
    target.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {}
    if default_dir.is_dir():
        for f in default_dir.glob("*.json"):
            if f.name == "overrides.json":
                overrides = json.loads(f.read_text(encoding="utf-8"))
            else:
                (target / f.name).write_bytes(f.read_bytes())
    for plugin, values in LOCALE_SETTING.items():
        overrides[plugin] = {**values, **overrides.get(plugin, {})}
    (target / "overrides.json").write_text(
        json.dumps(overrides, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return target


def workbench_command(
    notebook: Path, *, port: int | None, no_browser: bool, settings_dir: Path | None = None
) -> list[str]:
    """The JupyterLab command line: the notebook's folder as root, the notebook open."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={notebook.parent}",
        f"--LabApp.default_url=/lab/tree/{quote(notebook.name)}",
    ]
    if settings_dir is not None:
        argv.append(f"--LabApp.app_settings_dir={settings_dir}")
    if port is not None:
        argv += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if no_browser:
        argv.append("--ServerApp.open_browser=False")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers often run as root; JupyterLab refuses to start there unless told
        argv.append("--ServerApp.allow_root=True")
    return argv


def run_workbench(args: argparse.Namespace) -> int:
    """Prepare the notebook and run JupyterLab until it stops; its exit code is ours."""
    from jupyter_core.paths import jupyter_data_dir
    from jupyterlab.labapp import LabApp

    notebook = prepare_notebook(args.dataset)
    settings = lab_settings(
        Path(LabApp().app_settings_dir), Path(jupyter_data_dir()) / "jxkit" / "lab-settings"
    )
    argv = workbench_command(
        notebook, port=args.port, no_browser=args.no_browser, settings_dir=settings
    )
    print(f"评价工作台：{notebook}")
    print("正在启动 JupyterLab（按 Ctrl+C 停止）……", flush=True)
    proc = subprocess.Popen(argv)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # JupyterLab got the same Ctrl+C and shuts down its kernels; wait for it
        return proc.wait()
