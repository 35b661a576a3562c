"""Replaying a recorded draw: :func:`verify` and its :class:`VerifyReport`.

The population is fingerprinted and compared with the manifest (row by row with the
``population.txt`` listing), then the sample is redrawn from the manifest's seed and
parameters and compared unit by unit: ``docs/sampling.md`` section 5.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import SamplingError
from .algorithm import ALGORITHM, REASONS, Params, check_params, prn_utf8, select
from .drawing import FORMAT_VERSION, LISTING_NAME
from .population import Population, parse_listing, prepare

__all__ = ["SHOW_IDS", "VerifyReport", "verify"]

#: How many ids a verify line names before it says "等共 K 个".
SHOW_IDS = 20


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify`: ``ok`` when population and selection both match.

    Attributes:
        ok: True when the recomputation reproduces the manifest exactly.
        lines: What was checked and every difference, in Chinese, ending with
            “复现一致” or “复现不一致”.
    """

    ok: bool
    lines: list[str]

    def __str__(self) -> str:
        return "\n".join(self.lines)


_FIELD_NAMES = {
    "stratum": "层",
    "u": "u",
    "inclusion_probability": "入选概率",
    "reason": "入选原因",
}


def _show_value(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _show_ids(ids: Sequence[str], describe: Callable[[str], str] = str) -> str:
    shown = "、".join(describe(i) for i in ids[:SHOW_IDS])
    return shown + (f" 等共 {len(ids)} 个" if len(ids) > SHOW_IDS else "")


def _manifest_params(manifest: Mapping[str, Any]) -> Params:
    """Parameters of a manifest, refusing formats and algorithms this version cannot replay."""
    if manifest.get("algorithm") != ALGORITHM:
        raise SamplingError(
            f"清单使用的算法“{manifest.get('algorithm')}”不受支持（本版本支持 {ALGORITHM}）"
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise SamplingError(
            f"清单格式版本 {manifest.get('format_version')!r} 不受支持（本版本支持 {FORMAT_VERSION}）"
        )
    try:
        p = manifest["parameters"]
        return check_params(
            seed=manifest["seed"],
            n=p["n"],
            rate=p["rate"],
            id_col=p["id_col"],
            strata=p["strata"],
            pps=p["pps"],
            min_per_stratum=p["min_per_stratum"],
            include=tuple(p["include"]),
            where=p["where"],
        )
    except (KeyError, TypeError) as exc:
        raise SamplingError(f"清单缺少字段 {exc}，不是 jxkit 写出的抽样清单") from None


def _population_lines(
    manifest: Mapping[str, Any], pop: Population, params: Params, listing: bytes | None
) -> tuple[bool, list[str]]:
    """Compare the population with the manifest's fingerprint and, if given, its listing."""
    recorded = manifest.get("population", {})
    count, sha = recorded.get("count"), recorded.get("sha256")
    lines: list[str] = []
    same = count == len(pop.ids) and sha == pop.sha256
    if same:
        lines.append(f"总体：{len(pop.ids)} 行，指纹 {pop.sha256[:12]}… 与清单一致")
    else:
        if count != len(pop.ids):
            lines.append(f"总体行数不同：清单记录 {count} 行，现为 {len(pop.ids)} 行")
        lines.append(f"总体指纹不同：清单记录 {str(sha)[:12]}…，现为 {pop.sha256[:12]}…")
    if listing is None:
        if not same:
            lines.append(f"未找到 {LISTING_NAME}，无法逐行列出差异")
        return same, lines
    if hashlib.sha256(listing).hexdigest() != sha:
        lines.append(f"{LISTING_NAME} 与清单记录的指纹不符：明细文件已被改动，无法逐行比较")
        return False, lines
    if same:
        return True, lines
    old = parse_listing(listing)
    row_of = dict(zip(pop.ids, pop.rows.tolist(), strict=True))
    now = {
        c: (pop.stratum(i), pop.size_text[i].decode() if pop.size_text is not None else "")
        for i, c in enumerate(pop.ids)
    }
    added = sorted(c for c in now if c not in old)
    removed = sorted(c for c in old if c not in now)
    changed = sorted(c for c in now if c in old and now[c] != old[c])
    if added:
        lines.append(
            f"新增 {len(added)} 行：" + _show_ids(added, lambda c: f"{c}（第 {row_of[c]} 行）")
        )
    if removed:
        lines.append(f"删除 {len(removed)} 行：" + _show_ids(removed))

    def change(c: str) -> str:
        parts = [
            f"{col}：{a or '（空）'} → {b or '（空）'}"
            for col, a, b in (
                (params.strata, old[c][0], now[c][0]),
                (params.pps, old[c][1], now[c][1]),
            )
            if col and a != b
        ]
        return f"{c}（第 {row_of[c]} 行，{'；'.join(parts)}）"

    if changed:
        lines.append(f"变动 {len(changed)} 行：" + _show_ids(changed, change))
    return False, lines


def _selection_lines(
    manifest: Mapping[str, Any], pop: Population, params: Params
) -> tuple[bool, list[str]]:
    """Redraw with the manifest's parameters and compare with the recorded selection."""
    recorded = {s["id"]: s for s in manifest.get("selected", [])}
    index = pop.index() if params.include else {}
    missing = [c for c in params.include if c not in index]
    lines = []
    if missing:
        lines.append(f"必选单位已不在总体中：{_show_ids(missing)}")
    kept = dataclasses.replace(params, include=tuple(c for c in params.include if c in index))
    try:
        if not pop.ids:
            raise SamplingError("总体没有任何单位")
        u = prn_utf8(kept.seed, pop.id_bytes.tolist())
        result = select(pop, kept, [index[c] for c in kept.include], u)
    except SamplingError as exc:
        return False, [*lines, f"无法按清单参数重新抽样：{exc}"]
    redrawn = {
        pop.ids[p]: {
            "id": pop.ids[p],
            "stratum": pop.stratum(p),
            "u": float(u[p]),
            "inclusion_probability": q,
            "reason": r,
        }
        for p, q, r in zip(result.pos, result.prob, result.reason, strict=True)
    }
    new = sorted(c for c in redrawn if c not in recorded)
    gone = sorted(c for c in recorded if c not in redrawn)
    if new or gone:
        parts = ([f"新入选 {_show_ids(new)}"] if new else []) + (
            [f"不再入选 {_show_ids(gone)}"] if gone else []
        )
        lines.append(
            f"重新抽样结果与清单不同（清单 {len(recorded)} 个，重算 {len(redrawn)} 个）："
            + "；".join(parts)
        )
    differ = sorted(
        c
        for c in redrawn
        if c in recorded and redrawn[c] != {k: recorded[c].get(k) for k in redrawn[c]}
    )
    if differ:

        def change(c: str) -> str:
            parts = [
                f"{_FIELD_NAMES[k]} {_show_value(recorded[c].get(k))} → {_show_value(v)}"
                for k, v in redrawn[c].items()
                if recorded[c].get(k) != v
            ]
            return f"{c}（{'，'.join(parts)}）"

        lines.append(f"入选单位的记录与重算不同（清单 → 重算）：{_show_ids(differ, change)}")
    if not (missing or new or gone or differ):
        counts = "，".join(
            f"{label} {result.reason.count(r)}"
            for r, label in zip(REASONS, ("必选", "必然入选", "随机"), strict=True)
        )
        lines.append(f"重新抽样：抽中 {len(redrawn)} 个单位（{counts}），与清单完全相同")
        return True, lines
    return False, lines


def verify(
    manifest: Mapping[str, Any], population: pd.DataFrame, *, listing: bytes | None = None
) -> VerifyReport:
    """Recompute a recorded draw on ``population`` and say whether it reproduces.

    The population is filtered by the manifest's ``where``, fingerprinted and compared
    with the manifest; with the ``population.txt`` listing the lines name every row
    added, removed or changed. The sample is then redrawn from the manifest's seed and
    parameters and compared unit by unit.

    Raises:
        SamplingError: The manifest is not one this version can replay.
        DataError: The population cannot be read as a population (e.g. duplicate ids).
    """
    params = _manifest_params(manifest)
    pop = prepare(
        population, id_col=params.id_col, strata=params.strata, pps=params.pps, where=params.where
    )
    same_population, lines = _population_lines(manifest, pop, params, listing)
    same_selection, more = _selection_lines(manifest, pop, params)
    ok = same_population and same_selection
    return VerifyReport(ok, [*lines, *more, "复现一致" if ok else "复现不一致"])
