"""jxkit: 工会预算绩效管理工具包 (trade-union budget performance management toolkit)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jxkit")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
