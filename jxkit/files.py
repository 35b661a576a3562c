"""Where jxkit finds the files it ships: templates, report notebooks, the font, the demo data.

An installed wheel carries them inside the package (the build copies the checkout's
top-level ``templates/``, ``notebooks/`` and ``sample_data/`` there); a checkout has them
beside the package. A user who edits copies (``jxkit notebooks --copy DIR``) points at
them with ``JXKIT_TEMPLATES`` / ``JXKIT_NOTEBOOKS``, which ``jxkit render --templates /
--notebooks`` set for every report of a batch.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import JxkitError

__all__ = [
    "NOTEBOOKS_ENV",
    "PACKAGE",
    "TEMPLATES_ENV",
    "demo_dataset",
    "font_file",
    "frameworks_dir",
    "notebooks_dir",
    "resolve_dataset",
    "sample_data_dir",
    "templates_dir",
]

PACKAGE = Path(__file__).resolve().parent
TEMPLATES_ENV = "JXKIT_TEMPLATES"
NOTEBOOKS_ENV = "JXKIT_NOTEBOOKS"


def _shipped(name: str, marker: str, env: str | None = None) -> Path:
    """The folder ``name`` holding ``marker``: the user's copy, else the package's, else the checkout's."""
    chosen = os.environ.get(env, "") if env else ""
    if chosen:
        folder = Path(chosen).expanduser()
        if not (folder / marker).exists():
            raise JxkitError(f"{env} 指向的文件夹 {folder} 中没有 {marker}")
        return folder
    for folder in (PACKAGE / name, PACKAGE.parent / name):
        if (folder / marker).exists():
            return folder
    raise JxkitError(
        f"找不到 jxkit 的 {name} 文件夹（已查找 {PACKAGE} 及其上一级目录）：安装包不完整"
    )


def templates_dir() -> Path:
    """Frameworks, the policy file and the report styling."""
    return _shipped("templates", "policy.yaml", TEMPLATES_ENV)


def frameworks_dir() -> Path:
    return templates_dir() / "frameworks"


def notebooks_dir() -> Path:
    """The report notebooks papermill runs (and users open in JupyterLab)."""
    return _shipped("notebooks", "project_report.ipynb", NOTEBOOKS_ENV)


def sample_data_dir() -> Path:
    return _shipped("sample_data", "demo")


def demo_dataset() -> Path:
    return sample_data_dir() / "demo"


def font_file() -> Path:
    """The shipped Chinese font (Noto Sans SC, OFL)."""
    return PACKAGE / "fonts" / "NotoSansSC-Regular.ttf"


def resolve_dataset(path: str | os.PathLike[str]) -> Path:
    """A dataset path as given; a relative one that does not exist may name shipped data.

    The notebooks' default ``sample_data/demo`` thus opens in a checkout, in an installed
    jxkit, and from the notebooks folder alike.
    """
    p = Path(path)
    if p.exists() or p.is_absolute():
        return p
    parts = list(p.parts)
    while parts and parts[0] == "..":
        parts.pop(0)
    if not parts or parts[0] != "sample_data":
        return p
    try:
        candidate = sample_data_dir().joinpath(*parts[1:])
    except JxkitError:
        return p
    return candidate if candidate.exists() else p
