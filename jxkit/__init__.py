"""jxkit: 工会预算绩效管理工具包 (trade-union budget performance management toolkit).

The names a notebook needs::

    import jxkit
    ds = jxkit.load_dataset("sample_data/demo")
    result = jxkit.score(ds, "self")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .compare import Comparison, compare
from .coverage import CoverageResult, coverage
from .dataset import Dataset, load_dataset
from .errors import DataError, JxkitError
from .frameworks import Framework, get_framework, list_frameworks
from .policy import Policy, load_policy
from .sampling import Sample, draw, verify
from .scoring import ScoreResult, score

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
