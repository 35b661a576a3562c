"""Speed of ``jxkit sample`` and ``jxkit verify`` on a 1,000,000-row population.

The target: each within 2× of the bare minimum any implementation pays, reading the
file with pandas plus hashing every id once. Run from the repository root:

    .venv/bin/python benchmarks/sampling.py [--rows 1000000] [--repeat 3]

Both commands run through the same functions the CLI uses (``read_population``,
``draw``/``write_sample``, ``read_manifest``/``verify``), from the CSV file on disk.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from jxkit import sampling

SEED = "2024-03-15 党组会议"
CATEGORIES = [f"c{i:02d}" for i in range(10)]


def make_population(path: Path, rows: int) -> None:
    """A seeded population: shuffled ids, ten categories, lognormal budgets in yuan."""
    rng = np.random.default_rng(20240315)
    ids = np.char.add("P", np.char.zfill(rng.permutation(rows).astype(str), 7))
    frame = pd.DataFrame(
        {
            "project_id": ids,
            "category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), rows)],
            "budget": np.round(rng.lognormal(11, 1.2, rows), 2),
        }
    )
    frame.to_csv(path, index=False)


def best_times(
    repeat: int, tasks: dict[str, Callable[[], object]]
) -> dict[str, tuple[float, float]]:
    """Fastest wall-clock and CPU time of ``repeat`` rounds per task.

    Rounds are interleaved so that load from other processes hits every task alike; CPU
    time (all threads of this process) is the figure least disturbed by such load.
    """
    best = {name: (math.inf, math.inf) for name in tasks}
    for _ in range(repeat):
        for name, func in tasks.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            func()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def baseline(path: Path) -> None:
    """Read the file with pandas and hash every id once: the floor for any implementation."""
    frame = pd.read_csv(path)
    prefix = SEED.encode("utf-8") + b"\x1f"
    [hashlib.sha256(prefix + i.encode("utf-8")).digest() for i in frame["project_id"]]


def sample(path: Path, out: Path) -> None:
    population = sampling.read_population(path)
    result = sampling.draw(population, seed=SEED, n=1000, strata="category", pps="budget")
    sampling.write_sample(result, out)


def verify(path: Path, out: Path) -> None:
    manifest = sampling.read_manifest(out)
    report = sampling.verify(
        manifest, sampling.read_population(path), listing=sampling.read_listing(out)
    )
    assert report.ok, report  # a benchmark of a failing check would measure nothing useful


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "population.csv", Path(tmp) / "out"
        make_population(path, args.rows)
        sample(path, out)  # verify needs a manifest before its first timed round
        t = best_times(
            args.repeat,
            {
                "baseline": lambda: baseline(path),
                "sample": lambda: sample(path, out),
                "verify": lambda: verify(path, out),
            },
        )
    (base_wall, base_cpu) = t["baseline"]
    print(f"rows: {args.rows:,}  (best of {args.repeat} interleaved rounds)")
    print(f"{'':50s}   wall s  ratio    cpu s  ratio")
    for name, label in (
        ("baseline", "baseline  pandas.read_csv + sha256 of ids once"),
        ("sample", "sample    --pps budget --strata category --n 1000"),
        ("verify", "verify    manifest + population"),
    ):
        wall, cpu = t[name]
        print(f"{label:50s} {wall:7.2f} {wall / base_wall:5.2f}× {cpu:7.2f} {cpu / base_cpu:5.2f}×")
    print("target: each ≤ 2.00× baseline")


if __name__ == "__main__":
    main()
