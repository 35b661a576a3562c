"""Bad input and faults: every case answers in Chinese, names the place, exits 2, no traceback.

Each bad file is built inside the test from the mini dataset or the demo data; messages are
pinned with their key words (file, row as Excel shows it, column, what to do).
"""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest

from jxkit.cli import main
from jxkit.dataset.tables import atomic_path, write_table
from jxkit.errors import FileAccessError, os_error_text, user_path

FRAME = pd.DataFrame({"a": ["1"], "b": ["2"]})


# --- OS errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "action", "path", "expected"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "",
            "/o/得分.xlsx",
            "写入“/o/得分.xlsx”失败：磁盘已满",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "/o/a.csv"),
            "写入",
            None,
            "写入“/o/a.csv”失败：没有写入权限",
        ),
        (
            PermissionError(errno.EPERM, "Operation not permitted", "/o/a.csv"),
            "读取",
            None,
            "读取“/o/a.csv”失败：没有读取权限",
        ),
        (
            OSError(errno.EROFS, "Read-only file system", "/o/a.csv"),
            "",
            None,
            "写入“/o/a.csv”失败：没有写入权限（磁盘或文件夹只读）",
        ),
        (
            IsADirectoryError(errno.EISDIR, "Is a directory", "/o/.dir.csv.whrgj8vq.csv"),
            "写入",
            None,
            "写入“/o/dir.csv”失败：是一个文件夹",
        ),
        (
            FileNotFoundError(errno.ENOENT, "No such file", "/o/x.csv"),
            "读取",
            None,
            "读取“/o/x.csv”失败：文件不存在",
        ),
        (
            NotADirectoryError(errno.ENOTDIR, "Not a directory", "/o/f/x.csv"),
            "写入",
            None,
            "写入“/o/f/x.csv”失败：不是文件夹",
        ),
        (
            OSError(
                errno.EXDEV, "Invalid cross-device link", "/o/.a.csv.abcd1234.csv", None, "/p/a.csv"
            ),
            "写入",
            None,
            "写入“/p/a.csv”失败：Invalid cross-device link",
        ),
    ],
)
def test_os_error_text(exc: OSError, action: str, path: str | None, expected: str) -> None:
    assert os_error_text(exc, action=action, path=path).startswith(expected)


@pytest.mark.parametrize(
    ("temp", "user"),
    [
        ("/o/.得分.xlsx.k3j2h1ab.xlsx", "/o/得分.xlsx"),
        ("/o/.scores.csv.a_b1c2d3.csv", "/o/scores.csv"),
        ("/o/.index.html.x1.tmp", "/o/index.html"),
        ("/o/.bashrc", "/o/.bashrc"),  # a user's own hidden file stays as it is
        ("/o/报告.html", "/o/报告.html"),
    ],
)
def test_user_path_hides_temporary_names(temp: str, user: str) -> None:
    assert user_path(temp) == user


def test_write_onto_a_folder_names_the_target(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(FileAccessError, match=r"写入“.*out\.csv”失败：是一个文件夹") as info:
        write_table(FRAME, tmp_path / "out.csv")
    assert info.value.errno == errno.EISDIR
    assert isinstance(info.value, OSError)  # a batch that handles OS errors still sees one
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


def test_write_under_a_file_says_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileAccessError, match=r"写入“.*f”失败：不是文件夹"):
        write_table(FRAME, tmp_path / "f" / "out.csv")


def test_full_disk_during_a_write_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "得分.csv"
    target.write_text("old")
    full = pytest.raises(FileAccessError, match=r"写入“.*得分\.csv”失败：磁盘已满")
    with full, atomic_path(target):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["得分.csv"]


def test_other_files_errors_inside_a_write_pass_through(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "out.csv"):
        (tmp_path / "elsewhere.csv").read_text()


def test_cli_full_disk_is_chinese(
    mini_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("jxkit.dataset.tables.csv_bytes", full)
    out = tmp_path / "得分.csv"
    assert main(["score", str(mini_copy()), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "磁盘已满" in err and "得分.csv" in err and "Traceback" not in err
    assert not out.exists()
