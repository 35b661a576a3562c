"""How fast ``jxkit --help`` and every ``jxkit SUB --help`` answer (target: under 0.3 s).

Each command runs as a fresh process, as a user's shell runs it, ``--repeat`` times
interleaved; the best and the median are printed. A baseline line shows what a bare
``python -c pass`` costs on this machine. Run from the repository root:

    .venv/bin/python benchmarks/cli.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.3


def subcommands() -> list[str]:
    from jxkit.cli import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(actions[0].choices) if actions else []


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    jxkit = str(Path(sys.executable).with_name("jxkit"))
    commands = {"python -c pass": [sys.executable, "-c", "pass"], "jxkit --help": [jxkit, "--help"]}
    for sub in subcommands():
        commands[f"jxkit {sub} --help"] = [jxkit, sub, "--help"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, argv in commands.items():
            times[name].append(timed(argv))
    width = max(map(len, commands))
    print(f"{'command':<{width}}  {'best':>7}  {'median':>7}")
    slow = 0
    for name, ts in times.items():
        median = statistics.median(ts)
        slow += name.startswith("jxkit") and median >= TARGET
        print(f"{name:<{width}}  {min(ts):6.3f}s  {median:6.3f}s")
    print(f"\n{slow} of {len(commands) - 1} jxkit commands at or above {TARGET} s (median)")


if __name__ == "__main__":
    main()
