"""nbconvert's HTMLExporter on our ``report`` template.

nbconvert's stock template pulls require.js and MathJax from a CDN and weighs ~300 KB; ours
has no code, no prompts, no stderr, no tracebacks, no scripts and no external URL.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from markupsafe import Markup
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import CoalesceStreamsPreprocessor, Preprocessor
from nbformat import NotebookNode
from traitlets import default
from traitlets.config import Config

from ..files import templates_dir

__all__ = ["JxkitExporter", "ReportExporter", "ReportPreprocessor"]


class _ReportOutputs(CoalesceStreamsPreprocessor):
    """Drop stderr and tracebacks, then merge stream pieces, so flush timing never shows."""

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if "outputs" in cell:
            cell.outputs = [
                out
                for out in cell.outputs
                if out.output_type != "error"
                and not (out.output_type == "stream" and out.name == "stderr")
            ]
        return super().preprocess_cell(cell, resources, cell_index)


class ReportExporter(HTMLExporter):
    """HTMLExporter on our ``report`` template: outputs and Markdown only, nothing from outside."""

    export_from_notebook = "jxkit report"

    @default("template_name")
    def _template_name_default(self) -> str:
        return "report"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(templates_dir())]

    @property
    def default_config(self) -> Config:
        config = super().default_config
        config.merge(
            Config(
                {
                    # the notebook is validated once, after the last preprocessor, not after
                    # each of the thirteen (a tenth of the export)
                    "Exporter": {"optimistic_validation": True},
                    "TemplateExporter": {
                        "exclude_input": True,
                        "exclude_input_prompt": True,
                        "exclude_output_prompt": True,
                    },
                    "HTMLExporter": {"exclude_anchor_links": True},
                    # Scripts and widgets would need a CDN: fall back to HTML or text.
                    "NbConvertBase": {
                        "display_data_priority": [
                            "text/html",
                            "text/markdown",
                            "image/svg+xml",
                            "image/png",
                            "image/jpeg",
                            "text/latex",
                            "text/plain",
                        ]
                    },
                    "TagRemovePreprocessor": {
                        "enabled": True,
                        "remove_cell_tags": {"remove-cell"},
                        "remove_all_outputs_tags": {"remove-output"},
                    },
                }
            )
        )
        return config

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_preprocessor(_ReportOutputs(parent=self), enabled=True)

    def from_notebook_node(  # type: ignore[override]  # str, as HTMLExporter's
        self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """Convert, skipping HTMLExporter's BeautifulSoup pass over the finished page.

        That pass re-parses the page (a third of a warm report's time) only to add alt text,
        which our images have, and tab stops to JupyterLab's classes, which our page lacks.
        """
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


class JxkitExporter(ReportExporter):
    """``jupyter nbconvert --to jxkit out.ipynb``: the filed page from a notebook run by hand.

    Registered as nbconvert's ``jxkit`` exporter (entry point in pyproject.toml), so a report
    notebook that users ran with the papermill CLI exports as ``jxkit render`` exports it.
    Given no ``jxkit`` resources, :class:`ReportPreprocessor` titles the page, aligns its
    numbers and embeds the font.
    """

    export_from_notebook = "jxkit 报告（HTML）"


_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


class ReportPreprocessor(Preprocessor):
    """What the ``report`` template needs beyond plain nbconvert; its conf.json names it.

    Markdown that a cell outputs (built from data) becomes HTML with any raw HTML shown as
    text: data never becomes markup. Under nbconvert's own command (``--to jxkit``, ``--to
    html --template jxkit``: no ``jxkit`` resources) it also does what ``jxkit render``
    does after rendering: numbers in tables marked, the page titled by its first heading,
    the font subset embedded (cut for the characters of the outputs and Markdown cells,
    which hold the page's text).
    """

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        plain = "jxkit" not in resources
        outputs = [out for cell in nb.cells for out in cell.get("outputs", ())]
        for out in outputs:
            data = out.get("data")
            if not data:
                continue
            if "text/markdown" in data and "text/html" not in data:
                data["text/html"] = (
                    f'<div class="jx-md">\n{_markdown_escaped(data["text/markdown"])}\n</div>'
                )
            if plain and "text/html" in data:
                from .export import mark_numbers

                data["text/html"] = mark_numbers(data["text/html"])
        if plain:
            from .fonts import font_face_css

            pages = [str(out.get("data", {}).get("text/html", "")) for out in outputs]
            pages += [str(out.get("text", "")) for out in outputs]
            pages += [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
            heading = _H1.search("".join(pages))
            title = html.unescape(re.sub(r"<[^>]+>", "", heading[1])).strip() if heading else ""
            when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
            resources["jxkit"] = {"title": title, "generated": when}
            resources["jxkit_font"] = font_face_css("".join(pages) + title + "生成时间")
        return nb, resources


def _markdown_escaped(source: str) -> Markup:
    """Markdown to HTML with any raw HTML shown as text: data never becomes markup."""
    renderer = IPythonRenderer(escape=True, exclude_anchor_links=True)
    return Markup(MarkdownWithMath(renderer=renderer).render(source))
