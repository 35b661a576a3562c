"""Drawing a sample: :func:`draw`, its result :class:`Sample` and the manifest that records it.

:func:`draw` checks the parameters, prepares the population
(:mod:`jxkit.sampling.population`), runs the selection (:mod:`jxkit.sampling.algorithm`)
and writes down everything needed to recompute it: the manifest of ``docs/sampling.md``
section 4. Nothing here reads or writes files (see :mod:`jxkit.sampling.io`).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..dataset.tables import ROW
from ..errors import DataError, Problem, SamplingError
from .algorithm import (
    ALGORITHM,
    REASONS,
    Draw,
    FloatArray,
    Params,
    canonical_id,
    check_params,
    prn_utf8,
    select,
)
from .population import Population, prepare

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "LISTING_NAME",
    "SELECTED_COLUMNS",
    "Sample",
    "draw",
]

FORMAT = "jxkit-sample-manifest"
FORMAT_VERSION = 1
#: Sidecar with the canonical population listing; its SHA-256 is the population fingerprint.
LISTING_NAME = "population.txt"
#: Columns :func:`draw` puts before the population's own columns in ``Sample.selected``.
SELECTED_COLUMNS = ("id", "stratum", "u", "inclusion_probability", "reason")


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the selected units, the manifest that proves how, and the listing.

    Attributes:
        selected: One row per selected unit: ``id``, ``stratum``, ``u``,
            ``inclusion_probability``, ``reason`` and then the population's own columns.
        manifest: Everything needed to recompute the draw (written as ``manifest.json``).
        listing: The canonical population listing (written as ``population.txt``); its
            SHA-256 is ``manifest["population"]["sha256"]``.
    """

    selected: pd.DataFrame
    manifest: dict[str, Any]
    listing: bytes


def _include_ids(
    include: Iterable[object] | pd.DataFrame, id_col: str
) -> tuple[list[tuple[str, Problem]], str | None]:
    """Canonical mandatory ids, each with the place to blame if it is not in the population."""
    if isinstance(include, pd.DataFrame):
        source = str(include.attrs.get("source") or "必选清单")
        columns = [c for c in include.columns if c != ROW]
        if id_col in columns:
            column = id_col
        elif len(columns) == 1:
            column = columns[0]
        else:
            raise SamplingError(
                f"必选清单 {source} 中没有列“{id_col}”（现有列：{'、'.join(map(str, columns))}）"
            )
        rows = include[ROW].tolist() if ROW in include.columns else range(2, len(include) + 2)
        pairs = [
            (canonical_id(v), Problem(source, "", int(r), column, canonical_id(v)))
            for v, r in zip(include[column].tolist(), rows, strict=True)
        ]
        name: str | None = source
    else:
        pairs = [
            (canonical_id(v), Problem("必选清单", "", None, None, canonical_id(v))) for v in include
        ]
        name = None
    seen: set[str] = set()
    unique = []
    for cid, place in pairs:
        if cid and cid not in seen:
            seen.add(cid)
            unique.append((cid, place))
    return unique, name


def draw(
    population: pd.DataFrame,
    *,
    seed: str,
    n: int | None = None,
    rate: float | str | Decimal | None = None,
    id_col: str = "project_id",
    strata: str | None = None,
    pps: str | None = None,
    min_per_stratum: int = 1,
    include: Iterable[object] | pd.DataFrame = (),
    where: str | None = None,
) -> Sample:
    """Draw a re-evaluation sample by ``jxkit-prn-v1`` and record how in a manifest.

    Mandatory units (``include``) are taken on top of ``n`` and the random part is drawn
    from the rest; ``rate`` gives ``n = ceil(rate × N)`` with ``N`` the filtered
    population including mandatory units. ``n`` at least the units available takes them
    all (reason ``certainty``). ``where`` filters first (see :func:`parse_where`).

    Args:
        population: Any table; text cells as :func:`jxkit.tables.read_table` gives them.
        seed: Public text fixed before the draw (a date, a lottery number, a minute).
        n: Random sample size (excluding mandatory units).
        rate: Sampling rate instead of ``n`` (``0.1`` or ``"10%"``).
        id_col: Column with the unit's id.
        strata: Column to stratify by (allocation proportional to stratum size).
        pps: Column with a positive size (e.g. budget) for PPS sequential Poisson sampling.
        min_per_stratum: Each stratum gets at least this many (never more than it has).
        include: Ids always taken, or a table of them (column ``id_col`` or its only column).
        where: Filter such as ``year=2021,category=training``.

    Returns:
        The :class:`Sample`.

    Raises:
        SamplingError: A parameter is wrong.
        DataError: The population or the include list has problems (all are listed).

    >>> pop = pd.DataFrame({"project_id": ["P1", "P2", "P3", "P4"]})
    >>> draw(pop, seed="2024", n=2).selected["id"].tolist()
    ['P4', 'P3']
    """
    mandatory_ids, include_source = _include_ids(include, id_col)
    params = check_params(
        seed=seed,
        n=n,
        rate=rate,
        id_col=id_col,
        strata=strata,
        pps=pps,
        min_per_stratum=min_per_stratum,
        include=tuple(sorted(c for c, _ in mandatory_ids)),
        where=where,
    )
    pop = prepare(
        population, id_col=id_col, strata=params.strata, pps=params.pps, where=params.where
    )
    if not pop.ids:
        raise SamplingError(
            f"{pop.source} 经筛选“{params.where}”后没有任何单位"
            if params.where
            else f"{pop.source} 没有任何单位"
        )
    index = pop.index() if mandatory_ids else {}
    unknown = [place for cid, place in mandatory_ids if cid not in index]
    if unknown:
        where_note = "（或被筛选条件排除）" if params.where else ""
        named = "" if pop.source == "总体" else f" {pop.source} "
        raise DataError(
            [
                Problem(p.source, f"不在总体{named}中{where_note}", p.row, p.column, p.value)
                for p in unknown
            ],
            title="必选单位有问题",
        )
    u = prn_utf8(params.seed, pop.id_bytes.tolist())
    result = select(pop, params, [index[c] for c, _ in mandatory_ids], u)
    selected = _selected_frame(pop, result, u)
    table = population.attrs.get("table")
    manifest = _manifest(pop, params, result, selected, include_source, table)
    return Sample(selected, manifest, pop.listing)


def _selected_frame(pop: Population, result: Draw, u: FloatArray) -> pd.DataFrame:
    pos = np.array(result.pos, dtype=np.intp)
    head = pd.DataFrame(
        {
            "id": [pop.ids[p] for p in result.pos],
            "stratum": [pop.stratum(p) for p in result.pos],
            "u": u[pos] if len(pos) else np.empty(0),
            "inclusion_probability": np.array(result.prob, dtype=np.float64),
            "reason": result.reason,
        }
    )
    own = [c for c in pop.frame.columns if c != ROW and c not in SELECTED_COLUMNS]
    tail = pop.frame.iloc[pos][own].reset_index(drop=True)
    return pd.concat([head, tail], axis=1)


def _version() -> str:
    try:
        return importlib.metadata.version("jxkit")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _manifest(
    pop: Population,
    params: Params,
    result: Draw,
    selected: pd.DataFrame,
    include_source: str | None,
    table: str | None,
) -> dict[str, Any]:
    counts = {r: result.reason.count(r) for r in REASONS}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "algorithm": ALGORITHM,
        "seed": params.seed,
        "method": params.method(),
        "parameters": {
            "n": params.n,
            "rate": params.rate,
            "id_col": params.id_col,
            "strata": params.strata,
            "pps": params.pps,
            "min_per_stratum": params.min_per_stratum,
            "where": params.where,
            "include": list(params.include),
            "include_file": include_source,
        },
        "population": {
            "source": pop.source,
            "table": table,
            "count": len(pop.ids),
            "sha256": pop.sha256,
            "listing": LISTING_NAME,
            "columns": {"id": params.id_col, "stratum": params.strata, "size": params.pps},
        },
        "n": result.n,
        "totals": {
            "N": len(pop.ids),
            "selected": len(result.pos),
            **counts,
        },
        "strata": result.strata,
        "notes": result.notes,
        "selected": [
            {"id": i, "stratum": s, "u": float(uu), "inclusion_probability": float(q), "reason": r}
            for i, s, uu, q, r in zip(
                selected["id"],
                selected["stratum"],
                selected["u"],
                selected["inclusion_probability"],
                selected["reason"],
                strict=True,
            )
        ],
        "jxkit_version": _version(),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
