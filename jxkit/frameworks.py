"""Indicator frameworks (绩效指标体系): versioned YAML files that finance staff edit.

A framework is a three-level tree (一级 → 二级 → 三级 indicators) whose leaves carry
points, a scoring rule from :mod:`jxkit.rules` and its parameters. The shipped templates
(one per 三项十类 category, plus the unit-level evaluation and the assessment of a
union's performance-management work) live in ``templates/frameworks``; units copy and
adjust them year by year, so loading checks everything a hand edit can break and reports
every problem at once, with the file, line and indicator.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .catalogue import CATEGORY_CODES, FALSE_WORDS, OTHER, TRUE_WORDS, category_code
from .dataset.tables import ENCODINGS
from .errors import FrameworkError, Problem
from .files import frameworks_dir
from .rules import DEFAULT_GRADE_LEVELS, RULES, check_params, get_rule

__all__ = [
    "INDICATOR_COLUMNS",
    "KINDS",
    "LEAF_COLUMNS",
    "NATURES",
    "Framework",
    "framework_dir",
    "get_framework",
    "list_frameworks",
    "load_framework",
    "new_project_rows",
]

#: What a framework evaluates, in the order frameworks are listed.
KINDS: dict[str, str] = {
    "project": "项目支出绩效自评",
    "unit": "单位整体绩效评价",
    "management": "预算绩效管理工作考核",
}
#: 指标性质 as written on the national self-evaluation and re-evaluation forms.
NATURES = ("≥", "≤", "=", "定性")
#: The natures that make sense for each rule: a cost written as "≥" is a known red flag.
RULE_NATURES: dict[str, tuple[str, ...]] = {
    "execution_rate": ("≥",),
    "ratio": ("≥",),
    "bands": ("≥",),
    "inverse": ("≤",),
    "inverse_linear": ("≤",),
    "equal_zero": ("=", "≤"),
    "deduction": ("≤", "="),
    "grade": ("定性",),
    "boolean": ("=", "定性"),
    "interval": ("=",),
}
TYPES = {"common": "common", "共性": "common", "custom": "custom", "个性": "custom"}
NA_POLICIES = {"redistribute": "不适用指标的分值按比例分配给其他指标", "zero": "不适用指标记 0 分"}

#: Columns of :attr:`Framework.leaves`.
LEAF_COLUMNS = (
    "indicator_id",
    "level1",
    "level2",
    "name",
    "points",
    "rule",
    "params",
    "target",
    "unit_of_measure",
    "type",
    "nature",
    "na_allowed",
    "standard",
    "evidence",
)
#: Columns of the dataset's ``indicators`` table (the contract with :mod:`jxkit.dataset`).
INDICATOR_COLUMNS = (
    "project_id",
    "indicator_id",
    "level1",
    "level2",
    "name",
    "points",
    "rule",
    "target",
    "params",
    "unit_of_measure",
)

_TOP_KEYS = ("id", "name", "kind", "category", "version", "basis", "na_policy", "indicators")
_REQUIRED_TOP = ("id", "name", "kind", "version", "indicators")
_LEVEL1_KEYS = ("level1", "points", "children")
_LEVEL2_KEYS = ("level2", "points", "children")
_LEAF_KEYS = (
    "id",
    "name",
    "points",
    "rule",
    "type",
    "nature",
    "target",
    "unit",
    "params",
    "na_allowed",
    "standard",
    "evidence",
    "examples",
)
_EXAMPLE_KEYS = ("name", "target", "unit")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NATURE_ALIASES = {">=": "≥", "<=": "≤", "==": "=", "＝": "="}
_TOTAL = 100.0
_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Framework:
    """A loaded, checked framework; ``leaves`` has one row per third-level indicator.

    ``examples`` maps a custom slot's id to suggested indicators (name, target, unit)
    that help a project fill it in.
    """

    id: str
    name: str
    kind: str
    category: str | None
    version: str
    basis: str
    path: Path | None
    leaves: pd.DataFrame = field(repr=False)
    na_policy: str = "redistribute"
    examples: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict, repr=False)

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def structure(self) -> pd.DataFrame:
        """Points per first- and second-level indicator, in file order, for reports."""
        grouped = self.leaves.groupby(["level1", "level2"], sort=False)["points"].sum()
        return grouped.reset_index().rename(
            columns={"level1": "一级指标", "level2": "二级指标", "points": "分值"}
        )


# ----------------------------------------------------------------------------- YAML


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on, for messages."""

    line: int = 0


#: libyaml's parser where PyYAML has it: eight times faster, and every report and command
#: reads all the frameworks (same data and line numbers; the pure-Python one otherwise)
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):
    """Safe YAML loader that records mapping lines and repeated keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[tuple[int, str]] = []


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    mapping = _Map()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        if key in mapping:
            loader.repeated.append((key_node.start_mark.line + 1, str(key)))
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def _read_text(path: Path) -> str:
    """File text in UTF-8 or GBK: finance staff edit these files in Windows Notepad too."""
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FrameworkError(
        [Problem(path.name, "无法识别文件编码，请另存为 UTF-8")], title="指标体系文件有问题"
    )


def _parse(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    loader = _Loader(_read_text(path))
    try:
        return loader.get_single_data(), loader.repeated
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc)
        hint = "常见原因：缩进不一致、用了 Tab 缩进、冒号后缺空格、含特殊字符的文字未加引号"
        raise FrameworkError(
            [Problem(path.name, f"YAML 格式错误（{what}）。{hint}", row=line)],
            title=f"指标体系文件 {path.name} 有问题",
        ) from None
    finally:
        loader.dispose()


# ----------------------------------------------------------------------------- checking


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _line(node: Any) -> int | None:
    return node.line if isinstance(node, _Map) else None


def _show(value: Any) -> str:
    return "空" if value is None else f"“{value}”"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class _Checker:
    """Walks one framework file, collecting problems and leaf rows."""

    def __init__(self, path: Path) -> None:
        self.source = path.name
        self.problems: list[Problem] = []
        self.rows: list[dict[str, Any]] = []
        self.examples: dict[str, tuple[Mapping[str, Any], ...]] = {}

    def add(self, message: str, node: Any = None, line: int | None = None) -> None:
        self.problems.append(Problem(self.source, message, row=line or _line(node)))

    def keys(self, node: _Map, allowed: tuple[str, ...], where: str) -> None:
        for key in node:
            if key not in allowed:
                self.add(f"{where}有未知的键 {_show(key)}（可用：{'、'.join(allowed)}）", node)

    def points(self, node: _Map, where: str) -> float | None:
        value = node.get("points")
        if value is None:
            self.add(f"{where}缺少分值 points", node)
            return None
        if not _number(value) or value <= 0:
            self.add(f"{where}的分值 points 应为正数，而不是 {_show(value)}", node)
            return None
        return float(value)

    def children(self, node: _Map, where: str) -> list[Any]:
        kids = node.get("children")
        if not isinstance(kids, list) or not kids:
            self.add(f"{where}缺少下级指标 children（应为列表）", node)
            return []
        return kids

    def total(self, points: float | None, parts: list[float | None], where: str, node: Any) -> None:
        if points is None or any(p is None for p in parts) or not parts:
            return
        got = sum(p for p in parts if p is not None)
        if abs(got - points) > _TOLERANCE:
            self.add(f"{where}的分值为 {points:g}，但下级指标分值合计为 {got:g}，两者应相等", node)

    def tree(self, indicators: Any) -> None:
        if not isinstance(indicators, list) or not indicators:
            self.add("indicators 应为一级指标的列表")
            return
        totals: list[float | None] = []
        for node1 in indicators:
            totals.append(self.level1(node1))
        if all(t is not None for t in totals):
            got = sum(t for t in totals if t is not None)
            if abs(got - _TOTAL) > _TOLERANCE:
                self.add(f"一级指标分值合计为 {got:g}，应为 100")
        ids = [r["indicator_id"] for r in self.rows]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            lines = [r["_line"] for r in self.rows if r["indicator_id"] == dup]
            names = "、".join(r["name"] for r in self.rows if r["indicator_id"] == dup)
            self.add(
                f"指标 {dup}（{names}）: 指标编码 id 重复（第 {'、'.join(map(str, lines))} 行），"
                "同一体系内每个三级指标的 id 须唯一",
                line=lines[-1],
            )

    def level1(self, node: Any) -> float | None:
        if not isinstance(node, _Map) or not _text(node.get("level1")):
            self.add("一级指标应写成含 level1、points、children 的条目", node)
            return None
        name = _text(node["level1"])
        where = f"一级指标“{name}”"
        self.keys(node, _LEVEL1_KEYS, where)
        points = self.points(node, where)
        parts = [self.level2(name, kid) for kid in self.children(node, where)]
        self.total(points, parts, where, node)
        return points

    def level2(self, level1: str, node: Any) -> float | None:
        if not isinstance(node, _Map) or not _text(node.get("level2")):
            self.add(
                f"一级指标“{level1}”下的二级指标应写成含 level2、points、children 的条目", node
            )
            return None
        name = _text(node["level2"])
        where = f"二级指标“{level1}/{name}”"
        self.keys(node, _LEVEL2_KEYS, where)
        points = self.points(node, where)
        parts = [self.leaf(level1, name, kid) for kid in self.children(node, where)]
        self.total(points, parts, where, node)
        return points

    def leaf(self, level1: str, level2: str, node: Any) -> float | None:
        if not isinstance(node, _Map):
            self.add(f"二级指标“{level1}/{level2}”下的三级指标应写成含 id、name 等键的条目")
            return None
        leaf_id, name = _text(node.get("id")), _text(node.get("name"))
        where = f"指标 {leaf_id or '?'}（{name or '未命名'}）: "
        self.keys(node, _LEAF_KEYS, where)
        if not leaf_id:
            self.add(f"{where}缺少指标编码 id", node)
        elif not _ID.match(leaf_id):
            self.add(f"{where}指标编码 id 只能由英文字母、数字和下划线组成，且以字母开头", node)
        if not name:
            self.add(f"{where}缺少指标名称 name", node)
        points = self.points(node, where)
        rule_name = _text(node.get("rule"))
        params = node.get("params") or {}
        if not rule_name:
            self.add(f"{where}缺少评分方法 rule（可选：{'、'.join(RULES)}）", node)
        else:
            for message in check_params(rule_name, params):
                self.add(where + message, node)
        kind = TYPES.get(_text(node.get("type")) or "common")
        if kind is None:
            self.add(
                f"{where}type 应为 common（共性）或 custom（个性），而不是 {_show(node['type'])}",
                node,
            )
        nature = self.nature(node, rule_name, where)
        na_allowed = node.get("na_allowed", False)
        if not isinstance(na_allowed, bool):
            self.add(f"{where}na_allowed 应为 true 或 false", node)
        target = node.get("target")
        if target is not None or kind != "custom":
            self.target(rule_name, params, target, where, node)
        if "examples" in node:
            self.examples_of(leaf_id, kind, rule_name, params, node, where)
        self.rows.append(
            {
                "indicator_id": leaf_id,
                "level1": level1,
                "level2": level2,
                "name": name,
                "points": points,
                "rule": rule_name,
                "params": json.dumps(params, ensure_ascii=False) if params else "",
                "target": target,
                "unit_of_measure": _text(node.get("unit")),
                "type": kind or "common",
                "nature": nature,
                "na_allowed": na_allowed is True,
                "standard": _text(node.get("standard")),
                "evidence": _text(node.get("evidence")),
                "_line": node.line,
            }
        )
        return points

    def nature(self, node: _Map, rule_name: str, where: str) -> str:
        allowed = RULE_NATURES.get(rule_name, NATURES)
        text = _text(node.get("nature"))
        if not text:
            return allowed[0]
        text = _NATURE_ALIASES.get(text, text)
        if text not in NATURES:
            self.add(
                f"{where}指标性质 nature 应为 {'、'.join(NATURES)} 之一，而不是 {_show(text)}", node
            )
        elif text not in allowed:
            self.add(
                f"{where}评分方法 {rule_name} 的指标性质应为 {'或'.join(allowed)}，而不是 {text}"
                + ("（成本等反向指标不能写成“≥”）" if "≤" in allowed else ""),
                node,
            )
        return text

    def target(self, rule_name: str, params: Any, target: Any, where: str, node: _Map) -> None:
        """Check that the suggested target is of the kind the rule reads."""
        rule = get_rule(rule_name)
        if rule is None or not isinstance(params, Mapping):
            return
        if rule.value == "label":
            levels = params.get("levels", DEFAULT_GRADE_LEVELS)
            if target is not None and isinstance(levels, Mapping) and str(target) not in levels:
                self.add(
                    f"{where}年度指标值 {_show(target)} 不是可选等级（{'、'.join(levels)}）", node
                )
        elif rule.value == "boolean":
            if target is not None and str(target).lower() not in TRUE_WORDS | FALSE_WORDS:
                self.add(f"{where}年度指标值应为“是”或“否”，而不是 {_show(target)}", node)
        elif rule.needs_target and not (_number(target) and target > 0):
            got = "未填写" if target is None else f"而不是 {_show(target)}"
            self.add(f"{where}{rule.title}需要正数的年度指标值 target（{got}）", node)
        elif target is not None and not _number(target):
            self.add(f"{where}年度指标值 target 应为数字，而不是 {_show(target)}", node)

    def examples_of(
        self, leaf_id: str, kind: str | None, rule_name: str, params: Any, node: _Map, where: str
    ) -> None:
        examples = node["examples"]
        if kind != "custom":
            self.add(f"{where}只有个性指标（type: custom）才能给出 examples", node)
            return
        if not isinstance(examples, list) or not all(
            isinstance(e, Mapping) and _text(e.get("name")) for e in examples
        ):
            self.add(
                f"{where}examples 应为列表，每项至少有 name，如 {{name: 送教下基层场次, target: 10, unit: 场}}",
                node,
            )
            return
        for example in examples:
            self.keys(example, _EXAMPLE_KEYS, f"{where}示例“{example['name']}”")
            if "target" in example:
                self.target(
                    rule_name, params, example["target"], f"{where}示例“{example['name']}”", node
                )
        self.examples[leaf_id] = tuple(dict(e) for e in examples)


def _check_top(data: _Map, checker: _Checker) -> dict[str, Any]:
    checker.keys(data, _TOP_KEYS, "文件顶层")
    for key in _REQUIRED_TOP:
        if data.get(key) in (None, ""):
            checker.add(f"缺少 {key}", data)
    kind = _text(data.get("kind"))
    category = _text(data.get("category")) or None
    if kind and kind not in KINDS:
        checker.add(
            f"kind 应为 {'、'.join(f'{k}（{v}）' for k, v in KINDS.items())} 之一，而不是 {_show(kind)}",
            data,
        )
    if kind == "project":
        code = category_code(category) if category else None
        if code is None:
            known = "、".join((*CATEGORY_CODES, OTHER.code))
            checker.add(
                f"项目类指标体系须写明 category（三项十类之一或 other），可选：{known}", data
            )
        category = code
    elif category:
        checker.add(f"kind 为 {kind} 的指标体系不应有 category", data)
    fid = _text(data.get("id"))
    if fid and not _ID.match(fid):
        checker.add("id 只能由英文字母、数字和下划线组成，且以字母开头", data)
    na_policy = _text(data.get("na_policy")) or "redistribute"
    if na_policy not in NA_POLICIES:
        checker.add(
            f"na_policy 应为 {'、'.join(f'{k}（{v}）' for k, v in NA_POLICIES.items())} 之一", data
        )
    return {
        "id": fid,
        "name": _text(data.get("name")),
        "kind": kind,
        "category": category,
        "version": _text(data.get("version")),
        "basis": _text(data.get("basis")),
        "na_policy": na_policy,
    }


def load_framework(path: str | Path) -> Framework:
    """Load and check a framework file; raise one FrameworkError listing every problem.

    Checks: YAML syntax, required and unknown keys, children points adding up to their
    parent and first-level points to 100, unique leaf ids, known rules with fitting
    parameters, natures that fit the rule and targets the rule can read.
    """
    return _own(_load_shared(Path(path)))


def _own(fw: Framework) -> Framework:
    """The caller's copy: its leaves may be changed without touching the cached file."""
    return replace(fw, leaves=fw.leaves.copy())


def _load_shared(p: Path) -> Framework:
    """The checked framework of this file version, shared (not to be changed)."""
    title = f"指标体系文件 {p.name} 有问题"
    if not p.is_file():
        raise FrameworkError([Problem(str(p), "文件不存在")], title=title)
    stat = p.stat()
    return _load_checked(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_checked(path: str, mtime_ns: int, size: int) -> Framework:
    """Parse and check once per file version: a batch of reports reads each file once."""
    p = Path(path)
    title = f"指标体系文件 {p.name} 有问题"
    data, repeated = _parse(p)
    checker = _Checker(p)
    for line, key in repeated:
        checker.add(f"键 {_show(key)} 在同一处出现了两次，后一个会覆盖前一个", line=line)
    if not isinstance(data, _Map):
        checker.add("文件内容应为以 id、name、kind、indicators 等键开头的 YAML 映射")
        raise FrameworkError(checker.problems, title=title)
    top = _check_top(data, checker)
    checker.tree(data.get("indicators"))
    if checker.problems:
        checker.problems.sort(key=lambda pr: pr.row or 0)
        raise FrameworkError(checker.problems, title=title)
    leaves = pd.DataFrame(checker.rows, columns=[*LEAF_COLUMNS, "_line"]).drop(columns="_line")
    leaves["points"] = leaves["points"].astype(float)
    return Framework(path=p.resolve(), leaves=leaves, examples=checker.examples, **top)


# ----------------------------------------------------------------------------- lookup


def framework_dir() -> Path:
    """The shipped templates (or the user's copy, see :mod:`jxkit.files`)."""
    folder = frameworks_dir()
    if not folder.is_dir():
        raise FrameworkError(
            [Problem(str(folder), "找不到指标体系模板目录 templates/frameworks（安装可能不完整）")],
            title="指标体系模板缺失",
        )
    return folder


def _order(fw: Framework) -> tuple[int, int, str]:
    codes = (*CATEGORY_CODES, OTHER.code)
    position = codes.index(fw.category) if fw.category in codes else len(codes)
    return list(KINDS).index(fw.kind), position, fw.id


def list_frameworks(directory: str | Path | None = None) -> list[Framework]:
    """Every framework in a directory (default: the shipped templates), in catalogue order.

    A broken file raises one FrameworkError that lists the problems of every file.
    """
    return [_own(fw) for fw in _shared_frameworks(directory)]


def _shared_frameworks(directory: str | Path | None) -> list[Framework]:
    folder = Path(directory) if directory is not None else framework_dir()
    found: list[Framework] = []
    problems: list[Problem] = []
    for f in sorted(folder.glob("*.y*ml")):
        try:
            found.append(_load_shared(f))
        except FrameworkError as exc:
            problems += exc.problems
    if problems:
        raise FrameworkError(problems, title=f"目录 {folder} 中的指标体系文件有问题")
    return sorted(found, key=_order)


def get_framework(key: str, directory: str | Path | None = None) -> Framework:
    """A framework by id, category code or Chinese category name, or a YAML file path.

    >>> get_framework("培训类").id
    'training'
    """
    text = str(key).strip()
    if text.lower().endswith((".yaml", ".yml")):
        return load_framework(text)
    frameworks = _shared_frameworks(directory)  # only the one found is copied
    code = category_code(text)
    for fw in frameworks:
        if fw.id == text or (code is not None and fw.kind == "project" and fw.category == code):
            return _own(fw)
    known = "、".join(f"{fw.id}（{fw.name}）" for fw in frameworks)
    raise FrameworkError(
        [Problem("", f"没有名为 {_show(text)} 的指标体系，可选：{known}")], title="找不到指标体系"
    )


def new_project_rows(framework: Framework, project_id: str) -> pd.DataFrame:
    """Rows of the ``indicators`` table for a new project, ready to fill in.

    Common indicators come with their suggested targets; each custom slot gets a
    placeholder name (个性指标1（请填写）) with the suggested rule and points, so the
    points still add up to 100 before anything is filled in.
    """
    leaves = framework.leaves
    rows = leaves.loc[:, [c for c in INDICATOR_COLUMNS if c != "project_id"]].copy()
    rows.insert(0, "project_id", str(project_id))
    custom = (leaves["type"] == "custom").to_numpy()
    rows.loc[custom, "name"] = [f"个性指标{i}（请填写）" for i in range(1, int(custom.sum()) + 1)]
    rows["target"] = rows["target"].map(lambda v: "" if v is None else v).astype(object)
    rows["points"] = _tidy_points(rows["points"])
    return rows.reset_index(drop=True)


def _tidy_points(points: pd.Series) -> pd.Series:
    """Whole points as integers so a CSV shows 10, not 10.0."""
    whole = (points == points.round()).all()
    return points.astype(int) if whole else points
