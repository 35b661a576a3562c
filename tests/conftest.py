"""Shared fixtures: the hand-made mini dataset and a way to break it on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
REPO = Path(__file__).parent.parent


def read_raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_raw(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    frame.to_csv(path, index=False, encoding=encoding)


Edit = Callable[[dict[str, pd.DataFrame]], None]


@pytest.fixture
def mini_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy the mini dataset into tmp_path, optionally editing its tables first."""

    def make(edit: Edit | None = None, name: str = "ds") -> Path:
        target = tmp_path / name
        shutil.copytree(MINI, target)
        if edit:
            tables = {f.stem: read_raw(f) for f in target.glob("*.csv")}
            edit(tables)
            for f in target.glob("*.csv"):
                f.unlink()
            for stem, frame in tables.items():
                write_raw(frame, target / f"{stem}.csv")
        return target

    return make
