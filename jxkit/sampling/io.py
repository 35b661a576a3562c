"""The file edges of sampling: reading populations and manifests, writing a sample.

Every other module of :mod:`jxkit.sampling` is pure; only :func:`read_population`,
:func:`read_manifest`, :func:`read_listing` and :func:`write_sample` touch the disk.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..dataset.tables import atomic_path, read_table, write_table
from ..errors import SamplingError
from .drawing import FORMAT, LISTING_NAME, Sample

__all__ = [
    "MANIFEST_NAME",
    "SAMPLE_NAMES",
    "read_listing",
    "read_manifest",
    "read_population",
    "write_sample",
]

MANIFEST_NAME = "manifest.json"
SAMPLE_NAMES = ("sample.csv", "sample.xlsx")


def read_population(path: str | os.PathLike[str], *, units: bool = False) -> pd.DataFrame:
    """Read POPULATION: a dataset's projects (or units) table, or any CSV/xlsx table.

    ``attrs["table"]`` records which dataset table was used ("projects", "units" or None
    for a plain table) so that ``verify`` can read the same one.
    """
    p = Path(path)
    loader = _dataset_module()
    if loader is not None and p.exists() and loader.is_dataset(p):
        dataset = loader.load_dataset(p)
        table = "units" if units else "projects"
        frame = getattr(dataset, table)
        frame.attrs["source"] = dataset.sources.get(table) or f"{p.name}（{table}）"
        frame.attrs["table"] = table
        return frame
    if units:
        raise SamplingError(
            f"--units 只适用于数据集（文件夹或含“项目”工作表的工作簿），而 {p.name} 是单张表"
        )
    frame = read_table(p)
    frame.attrs["table"] = None
    return frame


def _dataset_module() -> Any:
    """``jxkit.dataset`` if it is installed; plain tables need no dataset loader."""
    name = f"{__name__.rsplit('.', 2)[0]}.dataset"  # jxkit.sampling.io → jxkit.dataset
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _manifest_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p / MANIFEST_NAME if p.is_dir() else p


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``manifest.json`` (or the folder holding it)."""
    p = _manifest_path(path)
    try:
        manifest = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SamplingError(f"抽样清单 {p} 不存在") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SamplingError(f"抽样清单 {p.name} 不是有效的 JSON：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SamplingError(f"{p.name} 不是 jxkit 抽样清单（缺少 format={FORMAT}）")
    return manifest


def read_listing(path: str | os.PathLike[str]) -> bytes | None:
    """The ``population.txt`` beside a manifest, or None when it is missing."""
    p = _manifest_path(path)
    try:
        name = read_manifest(p)["population"].get("listing") or LISTING_NAME
    except (SamplingError, KeyError, AttributeError):
        name = LISTING_NAME
    target = p.parent / Path(str(name)).name
    return target.read_bytes() if target.is_file() else None


def _to_json(value: Any, level: int = 0) -> str:
    """JSON with one object per line inside lists, so a manifest diffs and reads well."""
    dump = json.dumps
    pad = "  " * (level + 1)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{dump(k, ensure_ascii=False)}: {_to_json(v, level + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [pad + dump(v, ensure_ascii=False, allow_nan=False) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return dump(value, ensure_ascii=False, allow_nan=False)


def write_sample(sample: Sample, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``population.txt``, ``sample.csv``, ``sample.xlsx`` and ``manifest.json``.

    Each file is written atomically and the manifest last, so a manifest on disk always
    comes with the files it describes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    listing = out / sample.manifest["population"].get("listing", LISTING_NAME)
    with atomic_path(listing) as tmp:
        tmp.write_bytes(sample.listing)
    written.append(listing)
    for name in SAMPLE_NAMES:
        target = out / name
        if target.suffix == ".xlsx":  # for people: Chinese sheet, headers and names
            from ..dataset.workbook import write_workbook

            shown = sample.selected.rename(columns={"reason": "selection_reason"})
            written.append(write_workbook({"抽样结果": shown}, target))
        else:
            written.append(write_table(sample.selected, target))
    manifest = out / MANIFEST_NAME
    with atomic_path(manifest) as tmp:
        tmp.write_text(_to_json(sample.manifest) + "\n", encoding="utf-8")
    written.append(manifest)
    return written
