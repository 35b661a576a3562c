"""Random re-evaluation sampling: hand-checked draws, invariance, verify, files and CLI.

The u values below come from the independent three-line implementation ``u_ref`` (not
from jxkit), and every expected sample is worked out by hand from that table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jxkit import sampling
from jxkit.cli.sampling import register
from jxkit.errors import DataError, SamplingError
from jxkit.sampling import allocate, canonical_number, draw, prn, verify

DOCS = Path(__file__).parent.parent / "docs" / "sampling.md"
SEED = "2024-03-15 第3次党组会"


def u_ref(seed: str, unit_id: str) -> float:
    h = hashlib.sha256(
        seed.encode() + b"\x1f" + unicodedata.normalize("NFC", unit_id.strip()).encode()
    )
    return ((int.from_bytes(h.digest()[:8], "big") >> 11) + 0.5) / 2**53


# u under SEED, rounded for reading; order by u: P06 P04 P02 P08 P01 P03 P07 P05.
U = {
    "P01": 0.4029,
    "P02": 0.3210,
    "P03": 0.5539,
    "P04": 0.3200,
    "P05": 0.7949,
    "P06": 0.2451,
    "P07": 0.7432,
    "P08": 0.3460,
}
IDS = list(U)


def ids_of(sample: sampling.Sample) -> list[str]:
    return sample.selected["id"].tolist()


def by_id(sample: sampling.Sample, column: str) -> dict[str, object]:
    return dict(zip(sample.selected["id"], sample.selected[column], strict=True))


# ----------------------------------------------------------------------------- prn


def test_table_matches_reference_implementation() -> None:
    for unit_id, rounded in U.items():
        assert round(u_ref(SEED, unit_id), 4) == rounded
    assert prn(SEED, IDS).tolist() == [u_ref(SEED, i) for i in IDS]


@pytest.mark.parametrize(
    "raw",
    ["  P01", "P01\t", "\u3000P01", "Cafe\u0301-7", "工会-003", "１２３", 1001, 1001.0],
)
def test_prn_uses_canonical_id(raw: object) -> None:
    expected = u_ref(SEED, unicodedata.normalize("NFC", str(raw).strip()).removesuffix(".0"))
    assert prn(SEED, [raw])[0] == expected


def test_prn_is_in_open_unit_interval_and_seed_is_verbatim() -> None:
    u = prn("x", [f"id{i}" for i in range(10_000)])
    assert (u > 0).all() and (u < 1).all()
    assert prn("2024", ["P1"])[0] != prn(" 2024", ["P1"])[0]
    with pytest.raises(SamplingError, match="种子不能为空"):
        prn("", ["P1"])


def test_docs_worked_example_and_reference_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| `[0-9a-f]{16}` \| \d+ \| `(0\.\d+)` \|$", text, re.M)
    assert len(rows) == 6  # the Chinese and the English table
    for unit_id, u_text in rows:
        assert f"{prn('2024-03-15', [unit_id])[0]:.17g}" == u_text
        assert f"{u_ref('2024-03-15', unit_id):.17g}" == u_text
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None and len(code.group(1).strip().splitlines()) <= 10
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    ids = ["XM-2023-001", "XM-2023-002", "工会-003"]
    reference = namespace["simple_random_sample"]("2024-03-15", ids, 2)  # type: ignore[operator]
    sample = draw(pd.DataFrame({"project_id": ids}), seed="2024-03-15", n=2)
    assert ids_of(sample) == reference == ["XM-2023-002", "XM-2023-001"]
    assert sample.manifest["population"]["sha256"] in text


# ----------------------------------------------------------------------------- SRS


def test_simple_random_sample_by_hand() -> None:
    sample = draw(pd.DataFrame({"project_id": IDS}), seed=SEED, n=3)
    assert ids_of(sample) == ["P06", "P04", "P02"]
    assert set(sample.selected["reason"]) == {"random"}
    assert sample.selected["inclusion_probability"].tolist() == [3 / 8] * 3
    assert sample.selected["u"].tolist() == [u_ref(SEED, i) for i in ("P06", "P04", "P02")]
    assert sample.manifest["method"] == "srs"


def test_take_all_when_n_reaches_population() -> None:
    sample = draw(pd.DataFrame({"project_id": IDS}), seed=SEED, n=10)
    assert ids_of(sample) == IDS  # certainty units are listed by id
    assert set(sample.selected["reason"]) == {"certainty"}
    assert set(sample.selected["inclusion_probability"]) == {1.0}
    assert "全部入选" in sample.manifest["notes"][0]


def test_ties_in_u_are_broken_by_canonical_id(monkeypatch: pytest.MonkeyPatch) -> None:
    # u of D, B, C, A in row order: B and C tie with each other, as do D and A.
    fixed = {"D": 0.5, "B": 0.2, "C": 0.2, "A": 0.5}
    monkeypatch.setattr(
        sampling.drawing,
        "prn_utf8",
        lambda seed, encoded: np.array([fixed[e.decode()] for e in encoded]),
    )
    frame = pd.DataFrame({"project_id": list(fixed)})
    assert ids_of(draw(frame, seed=SEED, n=1)) == ["B"]
    assert ids_of(draw(frame, seed=SEED, n=3)) == ["B", "C", "A"]


def test_smallest_with_ties_at_the_partition_boundary() -> None:
    keys = np.array([0.5, 0.2, 0.2, 0.9, 0.2])
    ids = ["b", "c", "a", "d", "e"]
    got = sampling.algorithm._smallest(keys, np.arange(5), ids, 2)
    assert [ids[i] for i in got] == ["a", "c"]


@pytest.mark.parametrize(
    ("rate", "rows", "expected_n"),
    [(0.3, 8, 3), ("30%", 8, 3), ("0.1", 30, 3), (0.1, 30, 3), ("10%", 30, 3), (1, 8, 8)],
)
def test_rate_gives_ceiling_of_rate_times_n(rate: object, rows: int, expected_n: int) -> None:
    frame = pd.DataFrame({"project_id": [f"X{i:02d}" for i in range(rows)]})
    sample = draw(frame, seed=SEED, rate=rate)  # type: ignore[arg-type]
    assert sample.manifest["n"] == expected_n == len(sample.selected)


def test_rate_on_the_table_by_hand() -> None:
    sample = draw(pd.DataFrame({"project_id": IDS}), seed=SEED, rate="0.3")
    assert ids_of(sample) == ["P06", "P04", "P02"]  # ceil(0.3 × 8) = 3
    assert sample.manifest["parameters"]["rate"] == "0.3"


# ----------------------------------------------------------------------------- strata


@pytest.mark.parametrize(
    ("n", "sizes", "minimum", "expected"),
    [
        (5, {"A": 3, "B": 3, "C": 2}, 0, {"A": 2, "B": 2, "C": 1}),  # 1.875, 1.875, 1.25
        (2, {"x": 3, "y": 3, "z": 3}, 0, {"x": 1, "y": 1, "z": 0}),  # tie: keys ascending
        (2, {"z": 3, "y": 3, "x": 3}, 0, {"x": 1, "y": 1, "z": 0}),  # not the dict order
        (2, {"x": 3, "y": 3, "z": 3}, 1, {"x": 1, "y": 1, "z": 1}),  # total 3 > n
        (4, {"big": 97, "s1": 1, "s2": 2}, 1, {"big": 4, "s1": 1, "s2": 1}),
        (4, {"big": 97, "s1": 1, "s2": 2}, 5, {"big": 5, "s1": 1, "s2": 2}),
        (10, {"a": 3, "b": 4}, 1, {"a": 3, "b": 4}),  # n ≥ N takes all
        (7, {"a": 10, "b": 10, "c": 10}, 0, {"a": 3, "b": 2, "c": 2}),
    ],
)
def test_largest_remainder_allocation(
    n: int, sizes: dict[str, int], minimum: int, expected: dict[str, int]
) -> None:
    assert allocate(n, sizes, minimum) == expected


STRATA = ["A", "A", "A", "B", "B", "B", "C", "C"]


def test_stratified_sample_by_hand() -> None:
    frame = pd.DataFrame({"project_id": IDS, "category": STRATA})
    sample = draw(frame, seed=SEED, n=5, strata="category")
    # A: P02 .3210, P01 .4029 | B: P06 .2451, P04 .3200 | C: P08 .3460
    assert ids_of(sample) == ["P02", "P01", "P06", "P04", "P08"]
    assert by_id(sample, "stratum") == {"P02": "A", "P01": "A", "P06": "B", "P04": "B", "P08": "C"}
    assert by_id(sample, "inclusion_probability")["P08"] == 1 / 2
    assert by_id(sample, "inclusion_probability")["P02"] == 2 / 3
    assert [(s["stratum"], s["N_h"], s["n_h"]) for s in sample.manifest["strata"]] == [
        ("A", 3, 2),
        ("B", 3, 2),
        ("C", 2, 1),
    ]
    assert sample.manifest["method"] == "stratified-srs"


def test_stratified_tie_and_minimum_per_stratum_by_hand() -> None:
    frame = pd.DataFrame({"project_id": IDS[:6], "category": ["x", "x", "y", "y", "z", "z"]})
    # quotas 2/3 each, remainders tie → x and y; z gets its one unit from the minimum
    sample = draw(frame, seed=SEED, n=2, strata="category")
    assert ids_of(sample) == ["P02", "P04", "P06"]
    assert "超过 n=2" in sample.manifest["notes"][0]
    without_minimum = draw(frame, seed=SEED, n=2, strata="category", min_per_stratum=0)
    assert ids_of(without_minimum) == ["P02", "P04"]


def test_stratum_taken_whole_is_certainty() -> None:
    frame = pd.DataFrame({"project_id": IDS, "category": ["A"] * 7 + ["B"]})
    sample = draw(frame, seed=SEED, n=2, strata="category")
    assert by_id(sample, "reason")["P08"] == "certainty"


# ----------------------------------------------------------------------------- PPS


def test_pps_with_a_certainty_unit_by_hand() -> None:
    frame = pd.DataFrame({"project_id": IDS[:6], "budget": ["100", "10", "10", "10", "10", "10"]})
    sample = draw(frame, seed=SEED, n=2, pps="budget")
    # λ(P01) = 2·100/150 ≥ 1 → certainty; then λ = 1·10/50 = 0.2 each: smallest u is P06
    assert ids_of(sample) == ["P01", "P06"]
    assert by_id(sample, "reason") == {"P01": "certainty", "P06": "random"}
    assert by_id(sample, "inclusion_probability") == {"P01": 1.0, "P06": 0.2}


def test_pps_recomputes_lambda_after_certainty_units() -> None:
    budget = ["100", "60", "10", "10", "10", "10"]
    frame = pd.DataFrame({"project_id": IDS[:6], "budget": budget})
    sample = draw(frame, seed=SEED, n=3, pps="budget")
    # Σ=200: λ = 1.5, 0.9, … → P01 certain; Σ=100, m=2: λ(P02) = 1.2 → certain too;
    # Σ=40, m=1: λ = 0.25 each → smallest u among P03–P06 is P06.
    assert ids_of(sample) == ["P01", "P02", "P06"]
    assert by_id(sample, "reason") == {"P01": "certainty", "P02": "certainty", "P06": "random"}
    assert by_id(sample, "inclusion_probability")["P06"] == 0.25
    assert sample.manifest["strata"][0]["certainty"] == 2


def test_pps_takes_smallest_u_over_lambda_by_hand() -> None:
    frame = pd.DataFrame({"project_id": IDS[:4], "budget": ["1", "2", "3", "4"]})
    sample = draw(frame, seed=SEED, n=2, pps="budget")
    # λ = 0.2 0.4 0.6 0.8; u/λ = 2.01, 0.80, 0.92, 0.40 → P04, P02
    assert ids_of(sample) == ["P04", "P02"]
    assert by_id(sample, "inclusion_probability") == {"P04": 0.8, "P02": 0.4}
    assert sample.manifest["method"] == "pps"


def test_pps_with_strata_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "project_id": IDS,
            "category": STRATA,
            "budget": ["1,000", "10", "10", "10", "10", "10", "5", "5"],
        }
    )
    sample = draw(frame, seed=SEED, n=4, pps="budget", strata="category")
    # allocation A 2 (1.5 → remainder tie with B, A first), B 1, C 1
    # A: λ(P01) = 2·1000/1020 ≥ 1 → certain; then P02, P03 λ = 0.5: smallest u is P02
    # B: λ = 1/3 each → P06; C: λ = 0.5 each → P08
    assert ids_of(sample) == ["P01", "P02", "P06", "P08"]
    assert by_id(sample, "reason")["P01"] == "certainty"
    assert sample.manifest["method"] == "stratified-pps"


@pytest.mark.parametrize("bad", ["0", "-5", "12万", "", "nan", "inf"])
def test_pps_sizes_must_be_positive_numbers(bad: str) -> None:
    frame = pd.DataFrame({"project_id": ["A", "B", "C"], "budget": ["5", bad, "7"]})
    frame.attrs["source"] = "projects.csv"
    with pytest.raises(DataError, match=r"projects.csv 第 3 行 budget 列") as info:
        draw(frame, seed=SEED, n=1, pps="budget")
    assert "规模必须是大于 0 的数字" in str(info.value)


def test_every_bad_size_is_listed() -> None:
    frame = pd.DataFrame({"project_id": ["A", "B", "C", "D"], "budget": ["x", "5", "0", "-1"]})
    with pytest.raises(DataError) as info:
        draw(frame, seed=SEED, n=1, pps="budget")
    assert [p.row for p in info.value.problems] == [2, 4, 5]
    assert [p.value for p in info.value.problems] == ["x", "0", "-1"]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("1,000", "1000"), ("1000.0", "1000"), ("1000", "1000"), ("1e3", "1000"), (" 0.50 ", "0.5"),
     ("+7", "7"), ("007.10", "7.1"), (".5", "0.5"), ("5.", "5"), ("12345.67", "12345.67")],
)  # fmt: skip
def test_canonical_number(text: str, canonical: str) -> None:
    assert canonical_number(text) == canonical
    fast, value = sampling.population._fast_decimals(np.array([text.encode()], dtype="S"))
    assert fast[0] == (text == canonical)
    if fast[0]:
        assert value[0] == float(text)


def test_fast_decimals_match_float_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    texts = [canonical_number(f"{x:.{d}f}") or "" for x, d in
             zip(rng.lognormal(8, 4, 5000), rng.integers(0, 12, 5000), strict=True)]  # fmt: skip
    texts += ["0.1", "2.675", "9007199254740993", "123456789012345.6", "0.30000000000000004"]
    fast, values = sampling.population._fast_decimals(
        np.array([t.encode() for t in texts], dtype="S")
    )
    assert fast.mean() > 0.5
    assert values[fast].tolist() == [float(t) for t, f in zip(texts, fast, strict=True) if f]
    assert not fast[-3:].any()  # 16 and 17 digits: left to float()


@pytest.mark.parametrize("text", ["-5", "+5", "1e3", "5.", ".5", "0", "00.5", "1.50", "", "1 0"])
def test_fast_decimals_refuse_non_canonical(text: str) -> None:
    fast, _ = sampling.population._fast_decimals(np.array([text.encode(), b"12.5"], dtype="S"))
    assert fast.tolist() == [False, True]


# ----------------------------------------------------------------------------- include


def test_include_is_on_top_of_n_and_out_of_the_draw() -> None:
    sample = draw(pd.DataFrame({"project_id": IDS}), seed=SEED, n=2, include=[" P06 "])
    # P06 is mandatory; the random 2 come from the other 7: P04, P02
    assert ids_of(sample) == ["P06", "P04", "P02"]
    assert by_id(sample, "reason") == {"P06": "mandatory", "P04": "random", "P02": "random"}
    assert by_id(sample, "inclusion_probability")["P04"] == 2 / 7
    assert sample.manifest["parameters"]["include"] == ["P06"]
    assert sample.manifest["totals"]["mandatory"] == 1


def test_unknown_include_id_names_file_and_row() -> None:
    include = pd.DataFrame({"project_id": ["P01", "P77"], "_row": [2, 3]})
    include.attrs["source"] = "红灯项目.csv"
    with pytest.raises(DataError, match=r'红灯项目.csv 第 3 行 project_id 列: "P77" 不在总体'):
        draw(pd.DataFrame({"project_id": IDS}), seed=SEED, n=1, include=include)


def test_include_filtered_out_by_where_is_unknown() -> None:
    frame = pd.DataFrame({"project_id": IDS, "year": ["2021"] * 4 + ["2020"] * 4})
    with pytest.raises(DataError, match="或被筛选条件排除"):
        draw(frame, seed=SEED, n=1, include=["P08"], where="year=2021")


# ----------------------------------------------------------------------------- invariance


@pytest.mark.parametrize("method", [{}, {"strata": "category"}, {"pps": "budget"},
                                    {"strata": "category", "pps": "budget"}])  # fmt: skip
def test_row_order_and_other_columns_do_not_matter(method: dict[str, str]) -> None:
    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame(
        {
            "project_id": [f"XM-{i:04d}" for i in range(n)],
            "category": rng.choice(["training", "research", "large_event"], n),
            "budget": [f"{x:.2f}" for x in rng.lognormal(10, 1.5, n)],
        }
    )
    base = draw(frame, seed=SEED, n=20, include=["XM-0007"], **method)
    shuffled = frame.sample(frac=1, random_state=5).reset_index(drop=True)
    shuffled["project_id"] = "  " + shuffled["project_id"]
    shuffled["budget"] = [f"{float(x):,.2f}" for x in shuffled["budget"]]
    shuffled.insert(0, "note", rng.choice(["a", "b"], n))
    shuffled["score"] = rng.integers(0, 100, n).astype(str)
    other = draw(shuffled, seed=SEED, n=20, include=["XM-0007"], **method)
    assert ids_of(other) == ids_of(base)
    assert other.manifest["selected"] == base.manifest["selected"]
    assert other.manifest["population"]["sha256"] == base.manifest["population"]["sha256"]
    assert other.listing == base.listing


def test_fingerprint_ignores_number_formatting_but_not_values() -> None:
    a = draw(
        pd.DataFrame({"project_id": ["A", "B"], "budget": ["1000", "2.5"]}),
        seed="s",
        n=1,
        pps="budget",
    )
    b = draw(
        pd.DataFrame({"project_id": ["B", "A"], "budget": ["2.50", "1,000.0"]}),
        seed="s",
        n=1,
        pps="budget",
    )
    c = draw(
        pd.DataFrame({"project_id": ["A", "B"], "budget": ["1001", "2.5"]}),
        seed="s",
        n=1,
        pps="budget",
    )
    assert a.manifest["population"]["sha256"] == b.manifest["population"]["sha256"]
    assert a.manifest["population"]["sha256"] != c.manifest["population"]["sha256"]
    assert a.listing == b"A\x1f\x1f1000\nB\x1f\x1f2.5\n"
    assert hashlib.sha256(a.listing).hexdigest() == a.manifest["population"]["sha256"]


def test_listing_is_sorted_by_code_point() -> None:
    frame = pd.DataFrame({"project_id": ["b", "工会", "a-1", "a", "B", "é"], "k": list("xyzxyz")})
    sample = draw(frame, seed="s", n=1, strata="k")
    lines = sample.listing.decode().splitlines()
    assert [line.split("\x1f")[0] for line in lines] == ["B", "a", "a-1", "b", "é", "工会"]
    assert lines[0] == "B\x1fy\x1f"


# ----------------------------------------------------------------------------- data errors


def test_duplicate_ids_name_both_rows() -> None:
    frame = pd.DataFrame({"project_id": ["P1", "P2", " P1", "P3", "P2"]})
    frame.attrs["source"] = "projects.csv"
    with pytest.raises(DataError) as info:
        draw(frame, seed=SEED, n=1)
    text = str(info.value)
    assert 'projects.csv 第 4 行 project_id 列: "P1" 编号重复（与第 2 行相同）' in text
    assert 'projects.csv 第 6 行 project_id 列: "P2" 编号重复（与第 3 行相同）' in text


def test_empty_ids_and_strata_are_errors_with_rows() -> None:
    frame = pd.DataFrame({"project_id": ["P1", " ", "P3"], "category": ["a", "b", ""]})
    with pytest.raises(DataError) as info:
        draw(frame, seed=SEED, n=1, strata="category")
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "project_id"), (4, "category")]
    assert "编号为空" in str(info.value) and "分层列为空" in str(info.value)


def test_control_characters_in_ids_are_errors() -> None:
    with pytest.raises(DataError, match=r"第 3 行 project_id 列.*控制字符"):
        draw(pd.DataFrame({"project_id": ["P1", "P\t2"]}), seed=SEED, n=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1, "rate": 0.1}, "之一"),
        ({}, "之一"),
        ({"n": -1}, "不小于 0 的整数"),
        ({"rate": "120%"}, "0 与 1 之间"),
        ({"rate": "abc"}, "0 与 1 之间"),
        ({"n": 1, "strata": "region"}, "没有分层（--strata）所需的列“region”"),
        ({"n": 1, "pps": "money"}, "没有规模（--pps）所需的列“money”"),
        ({"n": 1, "id_col": "unit_id"}, "没有编号所需的列“unit_id”"),
        ({"n": 1, "min_per_stratum": -1}, "min-per-stratum"),
        ({"n": 1, "where": "year~2021"}, "写法不对"),
        ({"n": 1, "where": "region=x"}, "列“region”"),
        ({"n": 1, "where": "year>=abc"}, "不是数字"),
        ({"n": 1, "where": "year=1999"}, "没有任何单位"),
    ],
)
def test_parameter_errors(kwargs: dict[str, object], message: str) -> None:
    frame = pd.DataFrame({"project_id": IDS, "year": ["2021"] * 8})
    with pytest.raises(SamplingError, match=re.escape(message)):
        draw(frame, seed=SEED, **kwargs)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- where


def test_where_filters_before_drawing() -> None:
    frame = pd.DataFrame(
        {
            "project_id": IDS,
            "year": ["2021", "2021", "2020", "2021", "2021", "2020", "2021", "2021"],
            "budget": ["5", "50", "500", "5,000", "50", "5", "500", "5000"],
        }
    )
    sample = draw(frame, seed=SEED, n=2, where="year=2021, budget>=50")
    # kept: P02 P04 P05 P07 P08 → smallest u: P04 .3200, P02 .3210
    assert ids_of(sample) == ["P04", "P02"]
    assert sample.manifest["population"]["count"] == 5
    assert sample.manifest["parameters"]["where"] == "year=2021, budget>=50"
    assert ids_of(draw(frame, seed=SEED, n=1, where="year!=2021，budget<100")) == ["P06"]


def test_where_numeric_test_on_text_lists_rows() -> None:
    frame = pd.DataFrame({"project_id": ["A", "B"], "budget": ["5", "很多"]})
    with pytest.raises(DataError, match=r"第 3 行 budget 列.*不是数字"):
        draw(frame, seed=SEED, n=1, where="budget>1")


# ----------------------------------------------------------------------------- verify


def budget_table(path: Path, rows: dict[str, str]) -> Path:
    frame = pd.DataFrame({"project_id": list(rows), "budget": list(rows.values())})
    frame["name"] = "项目" + frame["project_id"]
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


BUDGETS = {
    i: b for i, b in zip(IDS, ["100", "10", "10", "10", "10", "10", "20", "30"], strict=True)
}


@pytest.fixture
def drawn(tmp_path: Path) -> tuple[Path, Path]:
    """A PPS sample of the table written to files, as the CLI would."""
    table = budget_table(tmp_path / "projects.csv", BUDGETS)
    sample = draw(sampling.read_population(table), seed=SEED, n=3, pps="budget")
    sampling.write_sample(sample, tmp_path / "out")
    return table, tmp_path / "out"


def check(out: Path, table: Path) -> sampling.VerifyReport:
    return verify(
        sampling.read_manifest(out),
        sampling.read_population(table),
        listing=sampling.read_listing(out),
    )


def test_written_files(drawn: tuple[Path, Path]) -> None:
    _, out = drawn
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "population.txt", "sample.csv", "sample.xlsx",
    ]  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["algorithm"] == "jxkit-prn-v1" and manifest["format_version"] == 1
    assert manifest["population"]["count"] == 8
    listing = (out / "population.txt").read_bytes()
    assert hashlib.sha256(listing).hexdigest() == manifest["population"]["sha256"]
    csv = pd.read_csv(out / "sample.csv", dtype=str, encoding="utf-8-sig")
    assert list(csv.columns) == ["id", "stratum", "u", "inclusion_probability", "reason",
                                 "project_id", "budget", "name"]  # fmt: skip
    assert csv["id"].tolist() == [s["id"] for s in manifest["selected"]]
    assert [float(x) for x in csv["u"]] == [s["u"] for s in manifest["selected"]]
    xlsx = pd.read_excel(out / "sample.xlsx", sheet_name=None, dtype=str)
    assert list(xlsx) == ["抽样结果"]  # for people: Chinese sheet and headers, reasons named
    assert xlsx["抽样结果"]["编号"].tolist() == csv["id"].tolist()
    assert set(xlsx["抽样结果"]["入样原因"]) <= {"随机抽中", "必然入选", "必选"}
    for entry in manifest["selected"]:
        assert set(entry) == {"id", "stratum", "u", "inclusion_probability", "reason"}


def test_verify_same_population_reproduces(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    table, out = drawn
    report = check(out, table)
    assert report.ok and report.lines[-1] == "复现一致"
    shuffled = pd.read_csv(table, dtype=str).sample(frac=1, random_state=1)
    shuffled["extra"] = "x"
    shuffled.to_csv(tmp_path / "shuffled.csv", index=False)
    assert check(out, tmp_path / "shuffled.csv").ok


def test_verify_names_a_removed_row(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = drawn
    table = budget_table(tmp_path / "v.csv", {k: v for k, v in BUDGETS.items() if k != "P03"})
    report = check(out, table)
    assert not report.ok and report.lines[-1] == "复现不一致"
    assert "总体行数不同：清单记录 8 行，现为 7 行" in report.lines
    assert "删除 1 行：P03" in report.lines


def test_verify_names_an_added_row(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = drawn
    table = budget_table(tmp_path / "v.csv", {**BUDGETS, "P99": "10"})
    report = check(out, table)
    assert not report.ok
    assert "新增 1 行：P99（第 10 行）" in report.lines


def test_verify_names_a_changed_row_and_the_selection_change(
    drawn: tuple[Path, Path], tmp_path: Path
) -> None:
    table, out = drawn
    before = sampling.read_manifest(out)
    # Σ=210: λ(P01) ≥ 1; then m=2, Σ=110: u/λ smallest for P08 (0.63) and P06 (1.35)
    assert [s["id"] for s in before["selected"]] == ["P01", "P08", "P06"]
    # P03 at 400 becomes certain, then P01 (λ = 2·100/190); the last place goes to P08
    table = budget_table(tmp_path / "v.csv", {**BUDGETS, "P03": "400"})
    report = check(out, table)
    assert not report.ok
    assert "变动 1 行：P03（第 4 行，budget：10 → 400）" in report.lines
    assert any(
        line.startswith("重新抽样结果与清单不同")
        and "新入选 P03" in line
        and "不再入选 P06" in line
        for line in report.lines
    ), report.lines


def test_verify_without_listing_still_detects(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = drawn
    (out / "population.txt").unlink()
    table = budget_table(tmp_path / "v.csv", {**BUDGETS, "P02": "11"})
    report = check(out, table)
    assert not report.ok
    assert "未找到 population.txt，无法逐行列出差异" in report.lines


def test_verify_detects_a_tampered_manifest(drawn: tuple[Path, Path]) -> None:
    table, out = drawn
    manifest = sampling.read_manifest(out)
    manifest["selected"][1]["id"] = "P03"
    report = verify(manifest, sampling.read_population(table))
    assert not report.ok
    assert any("新入选 P08" in line and "不再入选 P03" in line for line in report.lines)
    manifest = sampling.read_manifest(out)
    manifest["seed"] = SEED + "!"
    assert not verify(manifest, sampling.read_population(table)).ok


def test_verify_detects_a_tampered_listing(drawn: tuple[Path, Path]) -> None:
    table, out = drawn
    listing = (out / "population.txt").read_bytes().replace(b"P08", b"P09")
    report = verify(sampling.read_manifest(out), sampling.read_population(table), listing=listing)
    assert not report.ok
    assert any("已被改动" in line for line in report.lines)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("algorithm", "jxkit-prn-v2", "算法"), ("format_version", 9, "格式版本")],
)
def test_verify_refuses_unknown_algorithm_and_format(
    drawn: tuple[Path, Path], field: str, value: object, message: str
) -> None:
    table, out = drawn
    manifest = sampling.read_manifest(out)
    manifest[field] = value
    with pytest.raises(SamplingError, match=message):
        verify(manifest, sampling.read_population(table))


def test_verify_applies_the_recorded_filter_and_include(tmp_path: Path) -> None:
    frame = pd.DataFrame({"project_id": IDS, "year": ["2021"] * 6 + ["2020"] * 2})
    frame.to_csv(tmp_path / "p.csv", index=False)
    pop = sampling.read_population(tmp_path / "p.csv")
    sample = draw(pop, seed=SEED, n=2, where="year=2021", include=["P05"])
    manifest = json.loads(json.dumps(sample.manifest))  # as read back from the file
    assert ids_of(sample) == ["P05", "P06", "P04"]
    assert verify(manifest, pop, listing=sample.listing).ok
    smaller = pop[pop["project_id"] != "P05"]
    report = verify(manifest, smaller, listing=sample.listing)
    assert not report.ok
    assert "必选单位已不在总体中：P05" in report.lines


# ----------------------------------------------------------------------------- datasets


def test_dataset_population(tmp_path: Path) -> None:
    synth = pytest.importorskip("jxkit.synth")
    pytest.importorskip("jxkit.dataset")
    synth.write_dataset(synth.synth_dataset(60, seed=1), tmp_path / "ds")
    projects = sampling.read_population(tmp_path / "ds")
    assert projects.attrs["table"] == "projects"
    sample = draw(projects, seed=SEED, n=6, strata="category", pps="budget", where="year=2021")
    assert sample.manifest["population"]["table"] == "projects"
    assert verify(sample.manifest, sampling.read_population(tmp_path / "ds")).ok
    as_table = sampling.read_population(tmp_path / "ds" / "projects.csv")
    again = draw(as_table, seed=SEED, n=6, strata="category", pps="budget", where="year=2021")
    assert ids_of(again) == ids_of(sample)
    units = sampling.read_population(tmp_path / "ds", units=True)
    assert ids_of(draw(units, seed=SEED, n=2, id_col="unit_id"))


def test_units_flag_needs_a_dataset(tmp_path: Path) -> None:
    table = budget_table(tmp_path / "t.csv", BUDGETS)
    with pytest.raises(SamplingError, match="--units 只适用于数据集"):
        sampling.read_population(table, units=True)


# ----------------------------------------------------------------------------- CLI


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jxkit")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_cli_sample_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = budget_table(tmp_path / "projects.csv", BUDGETS)
    (tmp_path / "red.csv").write_text("project_id\nP07\n", encoding="utf-8")
    out = tmp_path / "抽样"
    code = run(["sample", str(table), "--seed", SEED, "--n", "2", "--pps", "budget",
                "--include", str(tmp_path / "red.csv"), "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "入选 3 个单位：必选 1" in printed
    manifest = sampling.read_manifest(out / "manifest.json")
    assert manifest["parameters"]["include_file"] == "red.csv"
    assert run(["verify", str(out / "manifest.json"), str(table)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "复现一致"
    changed = budget_table(tmp_path / "changed.csv", {**BUDGETS, "P08": "31"})
    assert run(["verify", str(out), str(changed)]) == 1
    printed = capsys.readouterr().out
    assert "变动 1 行：P08（第 9 行，budget：30 → 31）" in printed
    assert printed.strip().splitlines()[-1] == "复现不一致"


def test_cli_rate_and_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = budget_table(tmp_path / "projects.csv", BUDGETS)
    code = run(["sample", str(table), "--seed", SEED, "--rate", "25%",
                "--where", "budget<=10", "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 0
    manifest = sampling.read_manifest(tmp_path / "o")
    assert manifest["n"] == 2 and manifest["population"]["count"] == 5  # ceil(0.25 × 5)


def test_cli_help_is_chinese_with_examples() -> None:
    parser = argparse.ArgumentParser(prog="jxkit")
    sub = parser.add_subparsers()
    register(sub)
    for name in ("sample", "verify", "plan", "upper-bound"):
        text = sub.choices[name].format_help()
        assert "示例" in text and f"jxkit {name}" in text


def test_cli_verify_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(SamplingError, match="不存在"):
        run(["verify", str(tmp_path / "nope.json"), str(tmp_path / "p.csv")])


@pytest.mark.parametrize(
    ("argv", "last"),
    [
        (["plan", "--confidence", "95%", "--tolerable", "5%", "--expected", "0"], "59"),
        (["plan", "--confidence", "0.95", "--tolerable", "0.05", "--expected", "1"], "93"),
        (["plan", "--confidence", "95", "--tolerable", "5", "--expected", "0",
          "--model", "poisson"], "60"),
        (["plan", "--confidence", "95%", "--tolerable", "5%", "--expected", "0",
          "--model", "hypergeometric", "--population", "500"], "56"),
        (["upper-bound", "--errors", "2", "--n", "60"], "0.1012"),
        (["upper-bound", "--errors", "2", "--n", "60", "--confidence", "0.95"], "0.1012"),
        (["upper-bound", "--errors", "5", "--n", "5"], "1.0000"),
    ],
)  # fmt: skip
def test_cli_plan_and_upper_bound_last_line(
    argv: list[str], last: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(argv) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == last


def test_cli_hypergeometric_needs_population() -> None:
    with pytest.raises(SamplingError, match="--population"):
        run(["plan", "--confidence", "95%", "--tolerable", "5%", "--expected", "0",
             "--model", "hypergeometric"])  # fmt: skip
