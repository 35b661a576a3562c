"""What a report notebook calls first; light, so a cold kernel pays only for what it uses."""

from __future__ import annotations

from .fonts import setup_fonts

__all__ = ["setup_report"]


def setup_report() -> None:
    """Prepare a report notebook: Chinese in charts, and data escaped in styled tables.

    pandas escapes ``DataFrame`` values in HTML but its ``Styler`` does not by default, so a
    project named ``<script>`` would become markup; this makes Styler escape too.
    """
    import pandas as pd

    setup_fonts()
    pd.set_option("styler.format.escape", "html")
