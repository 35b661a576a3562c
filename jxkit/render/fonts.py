"""Chinese that renders everywhere: in charts and in HTML, with or without a system CJK font.

Government machines often have no CJK font and no root to install one, so jxkit ships
Noto Sans SC (OFL) and uses it when no system CJK font is found. HTML reports embed only
the glyphs they use (a few hundred characters, well under 100 KB) instead of the 10 MB font.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ReportError
from ..files import font_file

if TYPE_CHECKING:
    import uharfbuzz as hb

__all__ = [
    "CSS_FAMILY",
    "FONT_FAMILY",
    "FONT_FILE",
    "SYSTEM_CJK_FAMILIES",
    "font_face_css",
    "preload_font",
    "setup_fonts",
    "warm_charts",
]

FONT_FILE = font_file()
#: Family name of the shipped font as matplotlib sees it.
FONT_FAMILY = "Noto Sans SC"
#: Family name of the embedded subset in HTML; distinct so a local "Noto Sans SC" never hides it.
CSS_FAMILY = "jxkit Noto Sans SC"
#: Simplified Chinese fonts that users' machines commonly have, best first.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "SimHei",
)

# What a page needs from the font is outlines and horizontal metrics for the characters it
# shows. Layout tables (kerning, vertical forms, CJK alternates) would double the subset for
# no visible gain in running Chinese text.
_DROP_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG", "STAT")

_face: hb.Face | None = None
_WARM_TEXT = "预热工会 得分 1.5%"


def setup_fonts() -> None:
    """Make matplotlib draw Chinese: a system CJK font if there is one, else the shipped font.

    Call it once at the top of a report notebook (it returns nothing, so a cell ending with
    it shows nothing). Only families that exist are named, so matplotlib never logs
    "findfont: Font family ... not found"; the minus sign is drawn as a hyphen because CJK
    fonts lack U+2212.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(Path(entry.fname) == FONT_FILE for entry in manager.ttflist):
        manager.addfont(str(FONT_FILE))
    installed = {entry.name for entry in manager.ttflist}
    families = [name for name in SYSTEM_CJK_FAMILIES if name in installed]
    families.append(FONT_FAMILY)
    others = [name for name in mpl.rcParams["font.sans-serif"] if name not in families]
    mpl.rcParams["font.sans-serif"] = [*families, *others]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False


def preload_font() -> None:
    """Read the shipped font into memory once, so that forked report processes share it.

    A warm worker pays the read (10 MB) once; HarfBuzz then subsets from that copy in each
    child without parsing the font.
    """
    global _face
    if _face is None:
        import uharfbuzz as hb

        _face = hb.Face(hb.Blob(FONT_FILE.read_bytes()))
        # HarfBuzz builds its lookup tables on the first subset: 0.2 s that every forked
        # report would pay again.
        font_face_css(_WARM_TEXT)


def warm_charts() -> None:
    """Draw one small chart with Chinese text, so that forked reports find fonts ready.

    matplotlib finds and opens the font, FreeType loads glyphs and PNG encoding is set up
    on a process's first chart: a third of a second each forked report would pay again.
    Nothing global changes: no pyplot figure, no rcParams, and warnings (a glyph missing
    from the fonts set so far) are ignored without being remembered, so a report that
    meets the same problem still says so.
    """
    import warnings

    from matplotlib.figure import Figure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = Figure(figsize=(2, 1), layout="constrained")
        ax = fig.add_subplot()
        ax.barh([0, 1], [1, 2], label=_WARM_TEXT[:2])
        ax.set_yticks([0, 1], [_WARM_TEXT[:2], _WARM_TEXT[2:4]])
        ax.set_xlabel(_WARM_TEXT)
        ax.text(0.5, 0.5, "1.5", fontsize=9)
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")  # as figure_html saves charts


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the shipped font's glyphs for the characters in ``text``.

    HarfBuzz subsets in about a millisecond (fontTools took a second and a half); the subset
    is wrapped as WOFF (zlib): WOFF2 would save ~20% but its Brotli compression costs more
    than the subsetting. Printable ASCII is always included. Same characters, same bytes,
    so pages compare equal.
    """
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    preload_font()
    assert _face is not None
    plan = hb.SubsetInput()
    # set() first: a page is mostly base64 of its charts, a few distinct characters
    plan.unicode_set.update({ord(ch) for ch in set(text) if ch > "~"} | set(range(0x20, 0x7F)))
    plan.drop_table_tag_set.update(int.from_bytes(tag.encode("ascii")) for tag in _DROP_TABLES)
    plan.layout_feature_tag_set.clear()
    plan.flags = (
        hb.SubsetFlags.NO_HINTING
        | hb.SubsetFlags.NO_LAYOUT_CLOSURE
        | hb.SubsetFlags.NO_PRUNE_UNICODE_RANGES
    )
    subset = hb.subset(_face, plan)
    if subset is None:
        raise ReportError(f"无法从字体文件 {FONT_FILE} 生成子集：文件可能已损坏，请重新安装 jxkit")
    # fontTools only re-wraps the subset's tables (it parses none of them).
    font = TTFont(io.BytesIO(subset.blob.data), recalcTimestamp=False)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face{{font-family:"{CSS_FAMILY}";font-style:normal;font-weight:400;'
        f'src:url(data:font/woff;base64,{data}) format("woff");}}'
    )
