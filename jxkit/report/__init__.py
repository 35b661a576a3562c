"""Report content for the notebooks: building blocks and one module per report kind."""

from __future__ import annotations

from .blocks import Html, esc, facts, loaded, mask, pct, resolve, setup, table, wan

__all__ = ["Html", "esc", "facts", "loaded", "mask", "pct", "resolve", "setup", "table", "wan"]
