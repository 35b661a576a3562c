"""Benchmark: `jxkit score` on a synthetic 100,000-project dataset vs reading it with pandas.

Prints the time to read the four tables scoring uses (units, projects, indicators,
evaluations) with pandas alone, in each way pandas offers; the time of `jxkit score` end
to end (start-up, loading, every validation check, scoring both rounds, writing the
CSV); the peak memory of each; and the ratio of the score to the fastest pandas read
that keeps the cells as text. Target: within 2x of that read, and under 2 GB.

Each command runs --repeat times (default 3) in a fresh process; the best time counts,
for both sides alike, because timings on a shared machine vary by a fifth or more; runs
are interleaved (every command once per round) and the median is printed too.

    python benchmarks/score.py [--projects 100000] [--repeat 3] [--keep DIR | --data DIR]
"""

from __future__ import annotations

import argparse
import statistics
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


def run_once(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of a command in a fresh process.

    Measured through a fresh parent, so the peak memory is that command's own.
    """
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *cmd], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start, int(out.stdout.split()[-1]) / 1024


def run_interleaved(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Each command ``repeat`` times, in rounds (every command once per round).

    Interleaving spreads a slow spell of the machine over all commands alike.
    Returns per command the seconds of each run and, last, its peak memory.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
    for _ in range(repeat):
        for name, cmd in commands.items():
            secs, mb = run_once(cmd)
            times[name].append(secs)
            peaks[name] = max(peaks[name], mb)
    return {name: [*times[name], peaks[name]] for name in commands}


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
        commands = {
            label: [sys.executable, "-c", READ_ONLY.format(options=options), str(data)]
            for label, options in READS.items()
        }
        commands["score"] = [
            sys.executable,
            "-m",
            "jxkit",
            "score",
            str(data),
            "--out",
            str(Path(tmp) / "scores.csv"),
        ]
        measured = run_interleaved(commands, args.repeat)
    best = {name: min(runs[:-1]) for name, runs in measured.items()}
    median = {name: statistics.median(runs[:-1]) for name, runs in measured.items()}
    peak = {name: runs[-1] for name, runs in measured.items()}
    projects = rows.get("projects", 0)
    print(
        f"dataset: {projects:,} projects; rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print(f"runs per command: {args.repeat}, interleaved, each a fresh process")
    width = 48
    if synth_s:
        print(f"{'synth':<{width}}{synth_s:6.2f} s")
    print(f"{'':<{width}}{'best':>6}   {'median':>6}   peak")
    labels = {name: f"pandas read, {name}" for name in READS}
    labels["score"] = "jxkit score (load, check, score, write CSV)"
    for name, label in labels.items():
        print(f"{label:<{width}}{best[name]:6.2f} s {median[name]:6.2f} s {peak[name]:6.0f} MB")
    text_reads = [name for name in READS if name.startswith("text")]
    for how, figures in (("best", best), ("median", median)):
        reference = min(figures[name] for name in text_reads)
        ratio = figures["score"] / reference
        print(f"{'ratio to the fastest text read, ' + how:<{width}}{ratio:6.2f}x   (target <= 2x)")
    guessed = best["types guessed (not text)"]
    print(f"{'ratio to pandas guessing types, best':<{width}}{best['score'] / guessed:6.2f}x")
    print(f"{'peak memory of jxkit score':<{width}}{peak['score']:6.0f} MB   (target < 2048 MB)")


if __name__ == "__main__":
    main()
