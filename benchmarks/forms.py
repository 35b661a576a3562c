"""How fast ``jxkit import`` reads 1,000 自评表 workbooks (target: under 60 s on 2 cores).

The demo's 50 projects are written once as forms (``jxkit forms``); each is copied 20
times with its 项目编码 changed inside the file (so 1,000 distinct projects, no re-save
by openpyxl), then ``jxkit import`` runs as a fresh process, as a user runs it, with
``--jobs 1`` and ``--jobs 2``; then ``jxkit recheck`` of the result. Run from the
repository root:

    .venv/bin/python benchmarks/forms.py [--copies 20]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

TARGET = 60.0
ROOT = Path(__file__).resolve().parent.parent


def make_forms(folder: Path, copies: int) -> int:
    """Write the demo's forms, then ``copies`` renamed copies of each; returns the count."""
    jxkit = str(Path(sys.executable).with_name("jxkit"))
    base = folder / "base"
    subprocess.run(
        [jxkit, "forms", str(ROOT / "sample_data" / "demo"), "--out", str(base)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    out = folder / "forms"
    out.mkdir()
    n = 0
    for form in sorted(base.glob("*.xlsx")):
        code = form.name.split("_")[0]
        with zipfile.ZipFile(form) as src:
            parts = {name: src.read(name) for name in src.namelist()}
        for i in range(copies):
            new = f"{code}C{i:03d}"
            with zipfile.ZipFile(out / f"{new}.xlsx", "w", zipfile.ZIP_DEFLATED) as dst:
                for name, data in parts.items():
                    if name.startswith("xl/sharedStrings") or name.startswith("xl/worksheets/"):
                        data = data.replace(code.encode(), new.encode())
                    dst.writestr(name, data)
            n += 1
    shutil.rmtree(base)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    jxkit = str(Path(sys.executable).with_name("jxkit"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = make_forms(folder, args.copies)
        print(f"{n:,} 张自评表（每个工作簿一张），目标 {TARGET:.0f} 秒以内")
        for jobs in (1, 2):
            out = folder / f"ds{jobs}"
            start = time.perf_counter()
            subprocess.run(
                [jxkit, "import", str(folder / "forms"), "--out", str(out), "--jobs", str(jobs)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            took = time.perf_counter() - start
            rows = sum(1 for _ in (out / "projects.csv").open(encoding="utf-8-sig")) - 1
            mark = "达标" if took < TARGET else "超时"
            print(
                f"  --jobs {jobs}: {took:6.2f} 秒，{took / n * 1000:5.1f} 毫秒/张，导入项目 {rows:,} 个（{mark}）"
            )
        start = time.perf_counter()
        subprocess.run(
            [jxkit, "recheck", str(folder / "ds1"), "--out", str(folder / "复核.xlsx")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  jxkit recheck（写出 .xlsx）：{time.perf_counter() - start:6.2f} 秒")


if __name__ == "__main__":
    main()
