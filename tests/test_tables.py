"""Writing tables: the fast CSV writer must give exactly the bytes pandas gives.

Outputs such as a re-evaluation sample are hashed in its manifest, so a different byte
would make an old sample fail verification.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from jxkit.dataset.tables import ROW, TEXT, csv_bytes, read_table
from jxkit.errors import DataError


def pandas_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return "\ufeff".encode() + buf.getvalue().encode()


FRAMES = {
    "scores": pd.DataFrame(
        {
            "project_id": pd.Series(["XM1", "XM2", "XM3"], dtype=TEXT),
            "year": pd.array([2019, 2020, None], dtype="Int64"),
            "total": [93.26, 90.0, np.nan],
            "tiny": [1e-07, 1e16, -0.0],
            "red_light": [False, True, False],
            "ok": pd.array([True, None, False], dtype="boolean"),
            "flags": ["", "全部指标均为满分", "成本；完成值超过指标值 130% 以上"],
            "预算执行": [8.42, 0.1 + 0.2, 100.0],
            "n": np.array([1, 2, 3], dtype=np.int64),
        }
    ),
    "needs quoting": pd.DataFrame({"a": ["x,y", 'say "hi"', "two\nlines"], "b": [1.5, 2.0, 3.25]}),
    "header needs quoting": pd.DataFrame({"a,b": ["1", "2"], 'c"d': ["3", "4"]}),
    "missing text": pd.DataFrame({"a": pd.Series(["x", None], dtype=TEXT), "b": [1, 2]}),
    "dates": pd.DataFrame({"d": pd.to_datetime(["2021-06-30", None]), "b": ["1", "2"]}),
    "mixed objects": pd.DataFrame({"a": ["x", 1], "b": [None, "y"]}),
    "one column": pd.DataFrame({"a": ["", "x"]}),
    "signed zeros": pd.DataFrame({"a": [0.0, -0.0, np.nan, -0.0], "b": ["1", "2", "3", "4"]}),
    "float32": pd.DataFrame({"a": np.array([0.1, 2.5], dtype=np.float32), "b": ["1", "2"]}),
    "nullable floats": pd.DataFrame({"a": pd.array([0.1, None], dtype="Float64"), "b": ["1", "2"]}),
    "empty": pd.DataFrame({"a": pd.Series([], dtype=TEXT), "b": pd.Series([], dtype=float)}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_csv_bytes_equal_pandas(name: str) -> None:
    frame = FRAMES[name]
    assert csv_bytes(frame) == pandas_bytes(frame)


def test_large_random_frame_equals_pandas() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    frame = pd.DataFrame(
        {
            "id": pd.Series([f"P{i:06d}" for i in range(n)], dtype=TEXT),
            "score": np.round(rng.uniform(0, 100, n), 2),
            "raw": rng.normal(0, 1e6, n),
            "flag": rng.random(n) < 0.1,
            "count": rng.integers(-5, 5, n),
        }
    )
    frame.loc[::97, "score"] = np.nan
    assert csv_bytes(frame) == pandas_bytes(frame)


def test_arrow_writes_plain_tables_and_pandas_the_rest() -> None:
    from jxkit.dataset.tables import _csv_arrow

    assert _csv_arrow(FRAMES["scores"]) is not None
    assert _csv_arrow(FRAMES["needs quoting"]) is None  # a cell needs quotes
    assert _csv_arrow(FRAMES["dates"]) is None  # pandas' own date format


def test_codes_of_arrow_text_match_pandas() -> None:
    """Remembered codes of Arrow-backed text, including empty and many-chunk columns."""
    import pyarrow as pa

    from jxkit.text import factorize, shared_codes

    empty = pd.Series([], dtype=TEXT)
    assert len(factorize(empty)[0]) == 0
    chunks = pa.chunked_array([["b", "a"], [], ["a", "c", "b"]], type=pa.large_string())
    column = pd.Series(pd.array(chunks, dtype=TEXT))
    codes, uniques = factorize(column)
    assert list(np.asarray(uniques, dtype=object)[codes]) == ["b", "a", "a", "c", "b"]
    assert factorize(column)[0] is codes  # remembered
    (a, b), both = shared_codes(column, pd.Series(["c", "z"], dtype=TEXT))
    assert list(both[b]) == ["c", "z"] and list(both[a]) == ["b", "a", "a", "c", "b"]


def test_space_list_is_what_python_strips() -> None:
    from jxkit.text import SPACE

    assert "".join(chr(i) for i in range(0x110000) if chr(i).isspace()) == SPACE


ROWS_AS_EXCEL = {
    "no blank line": (b"a,b\n1,2\n3,4\n", [2, 3]),
    "a blank line": (b"a,b\n1,2\n\n3,4\n", [2, 4]),
    "no final line break": (b"a,b\n1,2\n\n3,4", [2, 4]),
    "blank lines at the end": (b"a,b\n1,2\n\n\n", [2]),
    "CRLF and a blank line": (b"a,b\r\n1,2\r\n\r\n3,4\r\n", [2, 4]),
    "CR alone and a blank line": (b"a,b\r1,2\r\r3,4\r", [2, 4]),
    "a value over two lines": (b'a,b\n"x\ny",2\n3,4\n', [2, 3]),
    "a value over two lines and a blank line": (b'a,b\n"x\ny",2\n\n3,4\n', [2, 4]),
    "a row of empty cells, as a blank line": (b"a,b\n1,2\n,\n3,4\n", [2, 4]),
    "repeated headers (read by pandas)": (b"a,a,b\n1,x,2\n\n3,y,4\n", [2, 4]),
}


@pytest.mark.parametrize(("data", "rows"), ROWS_AS_EXCEL.values(), ids=ROWS_AS_EXCEL.keys())
def test_rows_are_numbered_as_excel_shows_them(data: bytes, rows: list[int], tmp_path) -> None:
    """A blank line of a CSV file is a row in Excel: the rows after it count it."""
    (tmp_path / "t.csv").write_bytes(data)
    frame = read_table(tmp_path / "t.csv")
    assert frame[ROW].tolist() == rows
    assert frame["a"].iloc[-1] == ("3" if rows[-1] > 2 else "1")


def test_a_ragged_row_after_a_blank_line_is_named_by_its_excel_row(tmp_path) -> None:
    (tmp_path / "t.csv").write_bytes(b"a,b\n1,2\n\n3,4,5\n")
    with pytest.raises(DataError, match=r"t\.csv 第 4 行: 这一行有 3 个值，而表头只有 2 列"):
        read_table(tmp_path / "t.csv")
