"""Errors users see: one base, a few families, each naming the place that is wrong.

Messages are in Chinese because users read them; a CLI prints ``str(error)`` and exits
non-zero, never a traceback. Data problems are collected first and raised together so a
user fixes a whole file in one go. OS errors are put the same way (:func:`os_error_text`):
what failed, the user's own path (never a hidden temporary name), why, what to do.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DataError",
    "FileAccessError",
    "FrameworkError",
    "JxkitError",
    "OutputError",
    "PolicyError",
    "Problem",
    "ReportError",
    "SamplingError",
    "ScoringError",
    "os_error_text",
    "user_path",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as the user sees it.

    ``source`` is a file or sheet name (``projects.csv``, ``demo.xlsx 工作表 项目``);
    ``row`` is the spreadsheet row number (header is row 1) or None for a whole table.
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        place = self.source
        if self.row is not None:
            place += f" 第 {self.row} 行"
        if self.column:
            place += f" {self.column} 列"
        if self.value is not None and self.value != "":
            return f"{place}: {_show(self.value)} {self.message}"
        return f"{place}: {self.message}"


def _show(value: object) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"'


class JxkitError(Exception):
    """Base of every error jxkit raises on purpose; its text is for the user."""

    exit_code = 2


class DataError(JxkitError):
    """The dataset (or another input table) has problems; carries all of them."""

    def __init__(self, problems: Iterable[Problem] | str, *, title: str = "数据有问题") -> None:
        if isinstance(problems, str):
            problems = [Problem(source="", message=problems)]
        self.problems: list[Problem] = list(problems)
        self.title = title
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        if n == 1 and not self.problems[0].source:
            return self.problems[0].message
        lines = [f"{self.title}，共 {n} 处："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)

    def table(self) -> pd.DataFrame:
        """The problems as a table a notebook can display."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "文件/工作表": p.source,
                    "行": p.row,
                    "列": p.column,
                    "值": p.value,
                    "问题": p.message,
                }
                for p in self.problems
            ],
            columns=["文件/工作表", "行", "列", "值", "问题"],
        )

    def _repr_html_(self) -> str:
        return f"<p><b>{self.title}</b></p>" + self.table().to_html(index=False, na_rep="")


class FrameworkError(DataError):
    """An indicator framework file is not sound (points, rules, parameters)."""


class PolicyError(DataError):
    """The policy file (thresholds, bands) is not sound."""


class ScoringError(DataError):
    """Values cannot be scored (a missing value, a label not in the levels, target 0)."""


class OutputError(JxkitError):
    """An output would be written onto the command's own input (refused before any work)."""


class SamplingError(JxkitError):
    """A sample cannot be drawn or verified as asked."""


class ReportError(JxkitError):
    """A report could not be produced."""


class FileAccessError(JxkitError, OSError):
    """A file or folder the user named cannot be read or written (disk full, no permission).

    Also an :class:`OSError` with the original ``errno``, so code that handles a full disk
    (a batch that stops and writes its index) still recognises it.
    """

    def __init__(
        self, exc: OSError, *, action: str = "", path: str | os.PathLike[str] | None = None
    ) -> None:
        OSError.__init__(self, exc.errno, exc.strerror, exc.filename)
        self.text = os_error_text(exc, action=action, path=path)

    def __str__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # rebuilt as it was (render workers send errors between processes)
        return _file_access_error, (self.errno, self.strerror, self.filename, self.text)


def _file_access_error(
    code: int | None, strerror: str | None, filename: str | None, text: str
) -> FileAccessError:
    error = FileAccessError(OSError(code, strerror, filename))
    error.text = text
    return error


#: errno -> (the reason in Chinese, what to do). Permission errors depend on the action.
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("磁盘已满", "请清理磁盘空间或换一个输出位置后重试"),
    errno.EDQUOT: ("磁盘配额已用完", "请清理空间或换一个输出位置后重试"),
    errno.EROFS: ("没有写入权限（磁盘或文件夹只读）", "请换一个可写的位置"),
    errno.EISDIR: ("是一个文件夹", "请给出文件的路径，而不是文件夹"),
    errno.ENOENT: ("文件不存在", "请检查路径是否写对"),
    errno.ENOTDIR: ("不是文件夹", "请检查路径：路径中有一段是文件而不是文件夹"),
    errno.EEXIST: ("已存在", "请换一个名称或先移走它"),
    errno.ENAMETOOLONG: ("文件名太长", "请换一个短一些的名称或位置"),
    errno.EMFILE: ("同时打开的文件太多", "请关闭其他程序后重试"),
    errno.EBUSY: ("正被其他程序占用", "请关闭正在使用它的程序（如 Excel）后重试"),
}

#: Actions that can only be writes: the reason alone says so.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}

#: The hidden name :func:`jxkit.dataset.tables.atomic_path` gives a file being written
#: (``.得分.xlsx.k3j2h1ab.xlsx``), or any ``.name.xxxx.tmp``: the user knows only ``name``.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+?)\.(?P<rand>[A-Za-z0-9_]+)(?P<suffix>\.[^.]+)?$")


def user_path(path: str | os.PathLike[str]) -> str:
    """The path a user named: a hidden temporary file beside a target becomes the target."""
    p = Path(path)
    m = _TEMP_NAME.match(p.name)
    if m:
        name, suffix = m["name"], m["suffix"] or ""
        made_by_mkstemp = len(m["rand"]) == 8 and name.endswith(suffix)
        if suffix == ".tmp" or made_by_mkstemp:
            return str(p.with_name(name))
    return str(p)


def os_error_text(
    exc: OSError, *, action: str = "", path: str | os.PathLike[str] | None = None
) -> str:
    """An OS error as a user reads it: what failed (写入/读取), their path, why, what to do.

    ``path`` overrides the file the error names (for errors raised without one, such as a
    full disk during a write); temporary names are mapped back to the file being written.
    """
    code = exc.errno
    if not action:
        action = "写入" if code in _WRITE_ERRNOS else "访问"
    if code in (errno.EACCES, errno.EPERM):
        verb = "写入" if action == "写入" else "读取" if action == "读取" else "访问"
        reason, todo = (
            f"没有{verb}权限",
            (
                "请换一个可写的文件夹，或检查文件夹权限"
                if verb == "写入"
                else "请检查文件权限，或关闭正在使用它的程序后重试"
            ),
        )
    elif code in _REASONS:
        reason, todo = _REASONS[code]
    else:
        reason, todo = (exc.strerror or str(exc) or type(exc).__name__), "请检查后重试"
    where = path if path is not None else (exc.filename2 or exc.filename)
    if isinstance(where, bytes):
        where = os.fsdecode(where)
    place = f"“{user_path(where)}”" if where not in (None, "") else ""
    return f"{action}{place}失败：{reason}。{todo}。"
