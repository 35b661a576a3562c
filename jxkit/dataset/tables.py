"""Reading any table a user brings (CSV in UTF-8 or GBK, or an Excel sheet) as text.

Everything is read as text first so that validation can quote the value exactly as the
user wrote it ("12万") and say where it is; typing happens in :mod:`jxkit.dataset`.
"""

from __future__ import annotations

import csv
import errno
import io
import mmap
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..errors import DataError, FileAccessError, Problem
from .sheets import ROW, list_sheets, read_sheet

__all__ = [
    "ROW",
    "atomic_path",
    "list_sheets",
    "read_csv_text",
    "read_table",
    "write_table",
]

# Arrow's default allocator (mimalloc) touches far more fresh memory than the C library's
# for tables read once and kept: on a 100,000-project dataset the system allocator cuts
# the kernel's share of `jxkit score` by half (benchmarks/score.py). A pool chosen with
# ARROW_DEFAULT_MEMORY_POOL is left alone.
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())


ENCODINGS = ("utf-8-sig", "gb18030")


def read_csv_text(
    path: Path, keep: Callable[[str], bool] | None = None
) -> tuple[pd.DataFrame, str]:
    """Read a CSV file as text columns, guessing UTF-8 (with or without BOM) or GB18030.

    GB18030 is a superset of GBK and GB2312, which Excel on Chinese Windows writes.
    Returns the frame and the encoding that worked. Text columns are Arrow-backed
    strings: read in parallel and typed per distinct value later, they keep a million-row
    table fast; files Arrow's reader refuses (ragged rows, repeated headers) go through
    pandas' reader, whose messages are put in the user's terms. Rows are numbered as
    Excel shows the file: a blank line is a row there, so rows after it count it.
    """
    if path.stat().st_size == 0:
        raise DataError(
            [Problem(path.name, "文件是空的（0 字节）：可能没有保存成功或没有完整复制，请重新导出")]
        )
    for encoding in ENCODINGS:
        if encoding == "gb18030":
            _refuse_broken_utf8(path)  # UTF-8 with a GBK line would read as nonsense
        fast = _read_csv_arrow(path, encoding, keep)
        if fast is not None:
            return fast, encoding
        try:
            frame = pd.read_csv(
                path,
                dtype=object,
                keep_default_na=False,
                encoding=encoding,
                skipinitialspace=False,
                skip_blank_lines=False,  # a row in Excel: the rows after it count it
                usecols=(lambda h: keep(str(h).strip())) if keep else None,
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame(), encoding
        except pd.errors.ParserError as exc:
            raise DataError([_parser_problem(path.name, str(exc))]) from None
        frame[ROW] = np.arange(2, len(frame) + 2, dtype=np.int64)
        blank = (frame.drop(columns=ROW) == "").all(axis=1).to_numpy(dtype=bool)
        frame = frame[~blank] if blank.any() else frame
        frame.attrs["rows_numbered"] = True
        return frame, encoding
    raise DataError([_encoding_problem(path)])


_SAVE_AS_UTF8 = "请在 Excel 中打开，另存为“CSV UTF-8（逗号分隔）”后重试"


def _encoding_problem(path: Path) -> Problem:
    """Why a file is neither UTF-8 nor GBK, with the row where it goes wrong."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:200].count(b"\x00") > 20:
        return Problem(
            path.name, f"是 UTF-16 编码（Excel 的“Unicode 文本”）而不是 CSV：{_SAVE_AS_UTF8}"
        )
    errors = []
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(exc)
    for error in errors:
        if _cut_off(error, data):
            return _truncated(path, data, error)
    return Problem(
        path.name,
        "这一行有既不是 UTF-8 也不是 GBK 的字节，文件可能已损坏：请在 Excel 中核对这一行，"
        + _SAVE_AS_UTF8,
        _line_of(data, errors[0].start) if errors else None,
    )


def _cut_off(exc: UnicodeDecodeError, data: bytes) -> bool:
    """True when the only thing wrong is an incomplete last character (a file cut short)."""
    return exc.end >= len(data) and exc.start >= len(data) - 3


def _truncated(path: Path, data: bytes, exc: UnicodeDecodeError) -> Problem:
    return Problem(
        path.name,
        "文件在这一行中途截断（最后一个字符不完整）：文件可能没有完整复制、下载或保存，"
        "请重新导出或复制后重试",
        _line_of(data, exc.start),
    )


def _line_of(data: bytes, at: int) -> int:
    """The line (as Excel numbers rows: the first is 1) holding byte ``at``."""
    return data.count(b"\n", 0, at) + 1


def _refuse_broken_utf8(path: Path) -> None:
    """Refuse a UTF-8 file cut short or with some lines in GBK (two files pasted together).

    Read as GB18030 such a file gives nonsense in every UTF-8 line instead of an error.
    It is told apart from a GBK file by Chinese characters that are valid UTF-8 before the
    first byte that is not, or in the 64 KB after it (GBK text seldom reads as UTF-8).
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError as exc:
        error = exc
    if _cut_off(error, data):
        raise DataError([_truncated(path, data, error)]) from None
    head = data[: error.start]
    wide = len(head) - len(head.decode("utf-8"))  # extra bytes of UTF-8 characters before
    tail = data[error.end : error.end + (1 << 16)].decode("utf-8", errors="replace")
    bad = tail.count("\ufffd")
    good = len(tail.encode("utf-8")) - len(tail) - 2 * bad
    if wide < 6 and (good < 6 or good <= 2 * bad):
        return  # a GBK file
    row = _line_of(data, error.start)
    lines = data.splitlines()
    line = lines[row - 1] if row - 1 < len(lines) else b""
    try:
        what = f"是 GBK 编码（“{line.decode('gb18030')[:30]}”），其余各行是 UTF-8"
    except UnicodeDecodeError:
        what = "有不是 UTF-8 的字节，其余各行是 UTF-8"
    message = (
        f"这一行{what}：文件混用了两种编码（常见于把两个文件拼在一起）。"
        "请用记事本或 Excel 核对这一行，把整个文件存为一种编码（CSV UTF-8）后重试"
    )
    raise DataError([Problem(path.name, message, row)])


_PARSER_MESSAGES = (
    (
        re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)"),
        lambda m: (
            int(m[2]),
            f"这一行有 {m[3]} 个值，而表头只有 {m[1]} 列：是否多了逗号？"
            "含逗号的值须用英文双引号括起来，或删去多余的逗号",
        ),
    ),
    (
        re.compile(r"EOF inside string starting at row (\d+)"),
        lambda m: (
            int(m[1]) + 1,
            '从这一行开始的英文双引号没有配对，一直到文件末尾：请检查这一行的引号（值中的引号须写成两个 ""）',
        ),
    ),
)


def _parser_problem(name: str, message: str) -> Problem:
    """pandas' parser error as the user reads it: the row and what to fix."""
    for pattern, explain in _PARSER_MESSAGES:
        m = pattern.search(message)
        if m:
            row, text = explain(m)
            return Problem(name, text, row)
    return Problem(name, f"不是可读的 CSV 文件（{message}）：请在 Excel 中打开并另存为 CSV UTF-8")


#: Arrow-backed text, pandas' own string dtype (cells are never missing: "" when empty).
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _read_csv_arrow(
    path: Path, encoding: str, keep: Callable[[str], bool] | None = None
) -> pd.DataFrame | None:
    """The file read by Arrow as text columns, or None when pandas' reader should decide.

    Rows are numbered as Excel shows the file: a blank line is a row there, so blank
    lines are read as rows, numbered, then left out with the other rows of empty cells.
    """
    try:
        with path.open("rb") as f:
            head = f.readline()
        header = next(csv.reader([head.decode(encoding).lstrip("\ufeff")]), [])
        if (
            not header
            or len(set(header)) < len(header)
            or not all(h.strip() for h in header)
            or ROW in header
        ):
            return None
        table = _arrow_table(path, encoding, header, keep, _has_quote(path))
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError, csv.Error):
        return None  # e.g. lines ended by CR alone (Excel for Mac): pandas reads those
    # the row number goes in before pandas sees the table: adding a column to the frame
    # afterwards costs more than the whole conversion
    rows = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    table = _without_blank_rows(table.append_column(ROW, rows))
    frame = table.to_pandas(types_mapper={pa.large_string(): TEXT}.get)
    frame.attrs["rows_numbered"] = True
    return frame


def _without_blank_rows(table: pa.Table) -> pa.Table:
    """The rows that have a filled cell (blank lines and rows of empty cells left out).

    Usually the first column has no empty cell and one comparison in Arrow settles it.
    """
    columns = [c for c in table.column_names if c != ROW]
    if not columns or not table.num_rows:
        return table
    blank = pc.equal(table.column(columns[0]), "")
    if not pc.any(blank).as_py():
        return table
    for name in columns[1:]:
        blank = pc.and_(blank, pc.equal(table.column(name), ""))
    return table.filter(pc.invert(blank))


def _arrow_table(
    path: Path, encoding: str, header: list[str], keep: Callable[[str], bool] | None, quote: bool
) -> pa.Table:
    return pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=header, skip_rows=1, encoding=_ARROW_ENCODINGS[encoding]
        ),
        # a value can hold a line break only inside quotes; without any quote in the file
        # Arrow may split it at any line break, which reads it twice as fast
        parse_options=pa_csv.ParseOptions(newlines_in_values=quote, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={c: pa.large_string() for c in header},
            include_columns=[c for c in header if keep is None or keep(c.strip())],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


_ARROW_ENCODINGS = {"utf-8-sig": "utf8", "gb18030": "gb18030"}


def _has_quote(path: Path) -> bool:
    """True when the file holds a double quote (a byte no UTF-8 or GB18030 character uses)."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b'"') >= 0


def read_table(
    path: str | os.PathLike[str],
    sheet: str | None = None,
    *,
    keep: Callable[[str], bool] | None = None,
) -> pd.DataFrame:
    """Read one table (CSV file or a workbook sheet) as text, with a spreadsheet row number.

    Column names are stripped of surrounding spaces; empty cells are "". The frame's
    ``attrs["source"]`` names the file (and sheet) for messages, ``attrs["encoding"]``
    the CSV encoding. ``keep`` (a test on a stripped header) leaves other columns unread.
    """
    p = Path(path)
    if not p.exists():
        raise DataError([Problem(str(p), "文件不存在")])
    suffix = p.suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt"}:
        raise DataError([Problem(p.name, "不支持的文件类型：请提供 .csv 或 .xlsx 文件")])
    try:
        if suffix in {".xlsx", ".xlsm"}:
            frame = read_sheet(p, sheet)
            source, encoding = f"{p.name} 工作表“{frame.attrs['sheet']}”", "xlsx"
        else:
            frame, encoding = read_csv_text(p, keep)
            source = p.name
    except OSError as exc:  # no permission, a folder named like a file, a file locked
        if isinstance(exc, FileAccessError):
            raise
        raise FileAccessError(exc, action="读取", path=p) from exc
    written = [str(c) for c in frame.columns]
    frame.columns = [h.strip() for h in written]
    if keep is not None:
        kept = [i for i, c in enumerate(frame.columns) if c == ROW or keep(c)]
        frame, written = frame.iloc[:, kept], [written[i] for i in kept]
    frame.attrs["headers"] = written  # as written (spaces and all), for messages
    if suffix not in {".csv", ".txt"}:  # CSV cells are never NaN with keep_default_na=False
        frame = frame.fillna("")
    if not frame.attrs.pop("rows_numbered", False):  # a user's own "_row" column is replaced
        frame[ROW] = pd.RangeIndex(2, len(frame) + 2)
    frame.attrs["source"] = source
    frame.attrs["encoding"] = encoding
    return frame


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only if the block succeeds.

    No reader ever sees a half-written file, and a failure leaves the old file untouched.
    An OS error while writing (a full disk, a read-only folder, ``target`` a folder) is
    raised as :class:`FileAccessError` naming ``target``, never the hidden temporary name.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # the folder named is a file
        raise FileAccessError(
            OSError(errno.ENOTDIR, exc.strerror), action="写入", path=target.parent
        ) from exc
    except OSError as exc:
        raise FileAccessError(exc, action="写入", path=target) from exc
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise FileAccessError(exc, action="写入", path=target) from exc
    tmp_path = Path(tmp)
    try:
        # mkstemp creates 0600; keep the mode of the file replaced, else what the umask allows
        os.chmod(tmp_path, target.stat().st_mode & 0o777 if target.exists() else _default_mode())
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        if isinstance(exc, FileAccessError) or not _about(exc, target, tmp_path):
            raise
        raise FileAccessError(exc, action="写入", path=target) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _about(exc: OSError, target: Path, tmp: Path) -> bool:
    """True when an OS error met while writing ``target`` is about that write, not another file."""
    named = {Path(os.fsdecode(f)) for f in (exc.filename, exc.filename2) if f is not None}
    return not named or bool(named & {target, tmp})


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_table(
    frame: pd.DataFrame, target: str | os.PathLike[str], *, encoding: str = "utf-8-sig"
) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, which Excel opens correctly) or .xlsx, atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        if target.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, engine="openpyxl")
        else:
            tmp.write_bytes(csv_bytes(frame, encoding))
    return target


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """The frame as CSV, byte for byte what ``frame.to_csv(index=False)`` writes.

    Written by Arrow when every column is text, numbers or booleans and no cell needs
    quoting (several times faster on a large table); otherwise by pandas. Outputs such as
    a re-evaluation sample are hashed in manifests, so the two must never differ.
    """
    fast = _csv_arrow(frame) if encoding in {"utf-8", "utf-8-sig"} else None
    if fast is not None:
        return ("\ufeff".encode() if encoding == "utf-8-sig" else b"") + fast
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode(encoding)


def _csv_arrow(frame: pd.DataFrame) -> bytes | None:
    if os.linesep != "\n" or frame.shape[1] < 2 or not frame.columns.is_unique:
        return None
    if not all(isinstance(c, str) for c in frame.columns):
        return None
    cells = {}
    for i in range(frame.shape[1]):
        text = _cell_text(frame.iloc[:, i])
        if text is None:
            return None
        cells[f"c{i}"] = text
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(frame.columns)
    out = pa.BufferOutputStream()
    try:
        pa_csv.write_csv(
            pa.table(cells),
            out,
            pa_csv.WriteOptions(include_header=False, quoting_style="none"),
        )
    except pa.ArrowInvalid:  # a cell needs quoting: pandas' writer does that
        return None
    return header.getvalue().encode() + out.getvalue().to_pybytes()


def _cell_text(column: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """A column's cells as pandas writes them to CSV, or None for kinds left to pandas."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        data = column.array
        if hasattr(data, "__arrow_array__"):  # Arrow-backed: no Python objects on the way
            return pa.chunked_array(data.__arrow_array__()).cast(pa.large_string()).fill_null("")
        return pa.array(column.fillna("").to_numpy(object), type=pa.large_string())
    if pd.api.types.is_object_dtype(dtype):
        if pd.api.types.infer_dtype(column, skipna=False) != "string":
            return None
        return pa.array(column.to_numpy(object), type=pa.large_string())
    if dtype == np.float64:
        # each distinct bit pattern formatted once (so -0.0 stays apart from 0.0), as
        # Python's repr does, which is what pandas writes for float64; NaN is ""
        values = column.to_numpy()
        codes, uniques = pd.factorize(values.view(np.int64), use_na_sentinel=False)
        floats = np.asarray(uniques, dtype=np.int64).view(np.float64)
        texts = ["" if u != u else repr(float(u)) for u in floats]
        return pa.array(np.array(texts, dtype=object)[codes], type=pa.large_string())
    if dtype.kind not in "iub" and str(dtype) not in {"Int64", "boolean"}:
        return None  # other floats (float32, nullable Float64) and the rest: pandas
    # integers and booleans: each distinct value formatted once, as pandas does
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if dtype.kind == "b" or str(dtype) == "boolean":
        texts = [str(bool(u)) for u in uniques]
    else:
        texts = [str(int(u)) for u in uniques]
    table = np.array([*texts, ""], dtype=object)
    return pa.array(table[np.where(codes >= 0, codes, len(texts))], type=pa.large_string())
