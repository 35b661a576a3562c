"""Benchmark: `jxkit score` on a synthetic 100,000-project dataset vs reading it with pandas.

Prints the time to read the four tables scoring uses (units, projects, indicators,
evaluations) with pandas alone, in each way pandas offers; the time of `jxkit score` end
to end (start-up, loading, every validation check, scoring both rounds, writing the
CSV); the peak memory of each; and the ratio of the score to the fastest pandas read
that keeps the cells as text. Target: within 2x of that read, and under 2 GB.

Each command runs --repeat times (default 3) in a fresh process; the best time counts,
for both sides alike, because timings on a shared machine vary by a fifth or more.

    python benchmarks/score.py [--projects 100000] [--repeat 3] [--keep DIR | --data DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Ways pandas alone reads the four tables. The reference is the fastest that keeps every
#: cell as the text the user wrote (what a loader that quotes bad values must do);
#: pandas' own type guessing is printed too, for comparison.
READS = {
    "text, dtype=object": "dtype=object, keep_default_na=False",
    "text, dtype=str": "dtype=str, keep_default_na=False",
    "text, dtype=str, engine=pyarrow": 'dtype=str, keep_default_na=False, engine="pyarrow"',
    "types guessed (not text)": "",
}
READ_ONLY = """
import sys, pandas as pd
from pathlib import Path
for name in ("units", "projects", "indicators", "evaluations"):
    pd.read_csv(Path(sys.argv[1]) / (name + ".csv"), encoding="utf-8-sig", {options})
"""


PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best wall seconds and peak RSS (MB) of a command over ``repeat`` runs.

    Each run is a fresh process (startup and imports included), measured through a fresh
    parent so the peak memory is that command's own.
    """
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", PEAK, *cmd], check=True, capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - start)
        peak = max(peak, int(out.stdout.split()[-1]) / 1024)
    return best, peak


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="keep the synthetic dataset in this folder")
    ap.add_argument("--data", type=Path, help="use this dataset instead of making one")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the best counts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or args.keep or Path(tmp) / "synth"
        synth_s = 0.0
        if not args.data:
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
        reads = {
            label: run(
                [sys.executable, "-c", READ_ONLY.format(options=options), str(data)], args.repeat
            )
            for label, options in READS.items()
        }
        score_s, score_mb = run(
            [
                sys.executable,
                "-m",
                "jxkit",
                "score",
                str(data),
                "--out",
                str(Path(tmp) / "scores.csv"),
            ],
            args.repeat,
        )
    projects = rows.get("projects", 0)
    print(
        f"dataset: {projects:,} projects; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print(f"runs per command: {args.repeat} (best shown; each a fresh process)")
    width = 48
    if synth_s:
        print(f"{'synth':<{width}}{synth_s:6.2f} s")
    for label, (secs, mb) in reads.items():
        print(f"{'pandas read, ' + label:<{width}}{secs:6.2f} s   peak {mb:5.0f} MB")
    print(
        f"{'jxkit score (load, check, score, write CSV)':<{width}}{score_s:6.2f} s   peak {score_mb:5.0f} MB"
    )
    reference = min(secs for label, (secs, _) in reads.items() if label.startswith("text"))
    guessed = reads["types guessed (not text)"][0]
    print(
        f"{'ratio to the fastest text read':<{width}}{score_s / reference:6.2f}x   (target <= 2x, < 2048 MB)"
    )
    print(f"{'ratio to pandas guessing types':<{width}}{score_s / guessed:6.2f}x")


if __name__ == "__main__":
    main()
