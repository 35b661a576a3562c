"""The dataset users bring: its tables, how they are read, typed, checked and written back.

No logic lives here; the files:

- ``schema.py``: every table declared once (names, Chinese names, columns, keys);
- ``tables.py``: reading any CSV (UTF-8 or GBK) or sheet as text, writing tables atomically;
- ``values.py``: typing that text (headers, numbers, dates, codes), per distinct value;
- ``problems.py``: the collector every check reports through;
- ``keys.py``: keys as shared integer codes (duplicate and reference checks, scoring's join);
- ``checks.py``: the dataset-wide checks, listed in one block;
- ``load.py``: :class:`Dataset` and :func:`load_dataset`;
- ``workbook.py``: results written as CSV or Excel workbooks;
- ``writeback.py`` and ``drafts.py``: the workbench's edits saved into the user's files.
"""

from __future__ import annotations

from .checks import unknown
from .keys import key_codes, row_of
from .load import Dataset, find_csv, find_sheet, is_dataset, load_dataset, optional_table
from .problems import Collector
from .schema import EXANTE_DIMENSIONS, INDICATOR_FIELDS, TABLES, UNIT_DIMENSIONS, Column, TableSpec
from .values import canonical_headers, parse_dates, parse_number, parse_target

__all__ = [
    "EXANTE_DIMENSIONS",
    "INDICATOR_FIELDS",
    "TABLES",
    "UNIT_DIMENSIONS",
    "Collector",
    "Column",
    "Dataset",
    "TableSpec",
    "canonical_headers",
    "find_csv",
    "find_sheet",
    "is_dataset",
    "key_codes",
    "load_dataset",
    "optional_table",
    "parse_dates",
    "parse_number",
    "parse_target",
    "row_of",
    "unknown",
]
