"""jxkit: 工会预算绩效管理工具包 (trade-union budget performance management toolkit).

The names a notebook needs::

    import jxkit
    ds = jxkit.load_dataset("sample_data/demo")
    result = jxkit.score(ds, "self")

The package, by layer:

- ``dataset/``: the tables users bring (schema, reading, checks, workbooks, write-back);
- ``catalogue``, ``rules``, ``frameworks``, ``policy``: what is scored and by which rules;
- the steps of the whole process, one module each: ``scoring``, ``coverage``, ``exante``,
  ``monitoring``, ``unit_eval``, ``results``, ``assess``, ``compare``;
- ``sampling/``: the published re-evaluation sampling algorithm, manifest, verify, planning;
- ``report/`` (report content and the registry of report kinds) and ``render/`` (the batch
  renderer, which knows no kind); ``widgets/``: the workbench; ``cli/``: the command;
- ``synth/``: synthetic datasets; ``files``: the shipped files; ``labels``: Chinese words;
  ``errors``, ``text``: plumbing.

Names load on first use, so ``jxkit --help`` does not pay for pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .compare import Comparison, compare
    from .coverage import CoverageResult, coverage
    from .dataset import Dataset, load_dataset
    from .errors import DataError, JxkitError
    from .frameworks import Framework, get_framework, list_frameworks
    from .policy import Policy, load_policy
    from .sampling import Sample, draw, verify
    from .scoring import ScoreResult, score

#: Where each public name lives.
_HOME = {
    "Comparison": "compare",
    "compare": "compare",
    "CoverageResult": "coverage",
    "coverage": "coverage",
    "Dataset": "dataset",
    "load_dataset": "dataset",
    "DataError": "errors",
    "JxkitError": "errors",
    "Framework": "frameworks",
    "get_framework": "frameworks",
    "list_frameworks": "frameworks",
    "Policy": "policy",
    "load_policy": "policy",
    "Sample": "sampling",
    "draw": "sampling",
    "verify": "sampling",
    "ScoreResult": "scoring",
    "score": "scoring",
}

__all__ = [
    "Comparison",
    "CoverageResult",
    "DataError",
    "Dataset",
    "Framework",
    "JxkitError",
    "Policy",
    "Sample",
    "ScoreResult",
    "__version__",
    "compare",
    "coverage",
    "draw",
    "get_framework",
    "list_frameworks",
    "load_dataset",
    "load_policy",
    "score",
    "verify",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
