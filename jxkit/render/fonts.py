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

from ..files import font_file

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = [
    "CSS_FAMILY",
    "FONT_FAMILY",
    "FONT_FILE",
    "SYSTEM_CJK_FAMILIES",
    "font_face_css",
    "preload_font",
    "setup_fonts",
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
# shows. Layout tables (kerning, vertical forms, CJK alternates) and recomputed bounds double
# the time to build a subset for no visible gain in running Chinese text.
_DROP_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG", "STAT"]
_SUBSET_OPTIONS = {
    "layout_features": [],
    "hinting": False,
    "glyph_names": False,
    "recalc_bounds": False,
    "recalc_timestamp": False,
    "recalc_average_width": False,
    "recalc_max_context": False,
    "prune_unicode_ranges": False,
}

_preloaded: TTFont | None = None


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
    """Parse the shipped font once so that forked report processes subset it at once.

    Parsing costs about 0.4 s; a warm worker pays it once, each forked child then consumes
    its own copy-on-write copy.
    """
    global _preloaded
    if _preloaded is None:
        _preloaded = _load()


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the shipped font's glyphs for the characters in ``text``.

    The subset is WOFF (zlib): WOFF2 would save ~20% of a small subset but its Brotli
    compression costs more than the rest of the subsetting. Printable ASCII is always
    included.
    """
    from fontTools import subset

    global _preloaded
    # Subsetting edits the font in place, so each parsed copy serves one report only.
    font = _preloaded if _preloaded is not None else _load()
    _preloaded = None
    options = subset.Options(**_SUBSET_OPTIONS)
    options.drop_tables += _DROP_TABLES
    options.flavor = "woff"
    subsetter = subset.Subsetter(options)
    codepoints = {ord(ch) for ch in text if ord(ch) > 0x7E} | set(range(0x20, 0x7F))
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = options.flavor
    font.recalcTimestamp = False  # same characters, same bytes: pages compare equal
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face{{font-family:"{CSS_FAMILY}";font-style:normal;font-weight:400;'
        f'src:url(data:font/woff;base64,{data}) format("woff");}}'
    )


def _load() -> TTFont:
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_FILE))
    # Decompiling every table up front is much faster than letting the subsetter fault
    # glyphs in one by one.
    for tag in list(font.keys()):
        if tag != "GlyphOrder":
            font[tag]
    return font
