"""How fast the workbench answers on the demo data (median of ``--repeat`` runs, default 5).

Targets (issue 13): open a project ≤ 0.5 s, and the same after 20 opens; an update after
typing ≤ 0.1 s; save to the CSV folder ≤ 0.5 s; save to the workbook ≤ 2 s. The widgets
are driven through their model, as the browser would drive them (without the browser's
own drawing time). Run from the repository root on copies of the demo data:

    .venv/bin/python benchmarks/workbench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "sample_data" / "demo"
TARGETS = {
    "open a project": 0.5,
    "open a project after 20 opens": 0.5,
    "update after typing": 0.1,
    "save CSV": 0.5,
    "save xlsx": 2.0,
}


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def biggest_projects(wb: object, n: int) -> list[str]:
    session = wb.session  # type: ignore[attr-defined]
    ids = session.project_ids()
    return sorted(ids, key=lambda p: -len(session.scorer(p).indicators))[:n]


def number_row(wb: object) -> object:
    rows = wb.score_panel.rows.values()  # type: ignore[attr-defined]
    return next(r for r in rows if r.indicator.kind == "number")


def save_once(dataset: Path, repeat: int) -> list[float]:
    """Type one value with its reason in a fresh workbench, then time the save."""
    from jxkit.widgets import Workbench

    times = []
    for i in range(repeat):
        wb = Workbench(dataset, user="基准测试", round="self")
        wb.open_project(biggest_projects(wb, 1)[0])
        row = number_row(wb)
        row.note.value = f"基准测试第 {i + 1} 次"  # type: ignore[attr-defined]
        row.input.value = str(1000 + i)  # type: ignore[attr-defined]
        times.append(timed(wb.save))
        assert "已保存" in wb.save_status.value, wb.save_status.value
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from jxkit.widgets import Workbench

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(DEMO, demo)
        wb = Workbench(demo, user="基准测试")
        projects = biggest_projects(wb, 25)
        results["open a project"] = [timed(lambda p=p: wb.open_project(p)) for p in projects[:5]]
        for p in projects[5:20]:
            wb.open_project(p)
        results["open a project after 20 opens"] = [
            timed(lambda p=p: wb.open_project(p)) for p in projects[20:25]
        ]
        row = number_row(wb)
        texts = [str(100 + i) for i in range(args.repeat)]
        results["update after typing"] = [
            timed(lambda t=t: setattr(row.input, "value", t))  # type: ignore[attr-defined]
            for t in texts
        ]
        results["save CSV"] = save_once(demo, args.repeat)
        book = Path(tmp) / "demo.xlsx"
        shutil.copy(REPO / "sample_data" / "demo.xlsx", book)
        results["save xlsx"] = save_once(book, args.repeat)
    width = max(map(len, results))
    print(f"{'step':<{width}}  {'median':>7}  {'best':>7}  target")
    for name, ts in results.items():
        median = statistics.median(ts)
        mark = "ok" if median <= TARGETS[name] else "SLOW"
        print(f"{name:<{width}}  {median:6.3f}s  {min(ts):6.3f}s  ≤ {TARGETS[name]} s {mark}")


if __name__ == "__main__":
    main()
