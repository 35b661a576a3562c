"""Benchmark: `jxkit score` on a synthetic 100,000-project dataset vs reading it with pandas.

Prints: time to read the four tables scoring uses (units, projects, indicators,
evaluations) with pandas alone, time of `jxkit score` end to end
(loading, every validation check, scoring both rounds, writing the CSV), and the peak
memory of each. Target: score within 2x of the read-only time and under 2 GB.

    python benchmarks/score.py [--projects 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ_ONLY = """
import sys, pandas as pd
from pathlib import Path
for name in ("units", "projects", "indicators", "evaluations"):
    pd.read_csv(Path(sys.argv[1]) / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
"""


PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, measured through a fresh parent."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *cmd], check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    return elapsed, int(out.stdout.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="keep the synthetic dataset in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.keep or Path(tmp) / "synth"
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "jxkit",
                "synth",
                "--projects",
                str(args.projects),
                "--seed",
                "1",
                "--out",
                str(data),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        synth_s = time.perf_counter() - start
        rows = {
            f.stem: sum(1 for _ in f.open(encoding="utf-8-sig")) - 1
            for f in sorted(data.glob("*.csv"))
        }
        # each in a fresh process so peak memory is per command (ru_maxrss of children is a max)
        read_s, read_mb = run([sys.executable, "-c", READ_ONLY, str(data)])
        score_s, score_mb = run(
            [
                sys.executable,
                "-m",
                "jxkit",
                "score",
                str(data),
                "--out",
                str(Path(tmp) / "scores.csv"),
            ]
        )
    print(
        f"dataset: {args.projects:,} projects; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print(f"synth:             {synth_s:6.2f} s")
    print(f"pandas read only:  {read_s:6.2f} s   peak {read_mb:7.0f} MB")
    print(f"jxkit score:       {score_s:6.2f} s   peak {score_mb:7.0f} MB")
    print(f"ratio score/read:  {score_s / read_s:6.2f}x   (target <= 2x, < 2048 MB)")


if __name__ == "__main__":
    main()
