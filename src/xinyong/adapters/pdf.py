"""PDF rendering of a report ``Document`` with an embedded Chinese font (fpdf2, HarfBuzz, segno).

The font is the system's WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``) or Noto Sans CJK SC
(``fonts-noto-cjk``), found at run time: the first installed one that has every character of the
document. Loading the whole 19 MB CJK font into fpdf2 costs ~0.7 s a
document, so each document first gets its own small font: HarfBuzz (``uharfbuzz``) subsets the face to
exactly the characters the document prints (a few milliseconds), and fpdf2 embeds that subset. The
QR code (segno) holds the verification URL.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
import uharfbuzz as hb
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from xinyong.domain.reports import Document, Grid
from xinyong.errors import ConfigurationError

# (path, face index in the collection), in order of preference. WenQuanYi Zen Hei has TrueType
# outlines, which fpdf2 embeds in about half the time of Noto's CFF outlines; Noto Sans CJK covers more
# rare characters (生僻字) and is used whenever a document has one the first lacks.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # face 2 of the collection is SC
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)
# Characters every page may print besides the document's text (page numbers, punctuation, digits).
_ALWAYS = "".join(chr(c) for c in range(32, 127)) + "第页共／，。：；、（）《》“”—"
_FAMILY = "cjk"
_LINE = 5.5  # mm, one line of a table at 9 pt
_HEADING_FILL = (230, 236, 244)
LONG_GRID_ROWS = 200
_VERIFY_HINT = "扫描二维码或访问 {url} ，输入数字验证码核验本报告的真实性和有效性。"


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int


@cache
def installed_fonts() -> tuple[FontFile, ...]:
    """The Chinese fonts to embed, best first; a clear configuration error when the machine has none."""
    found = tuple(FontFile(Path(path), index) for path, index in FONT_CANDIDATES if os.path.exists(path))
    if not found:
        raise ConfigurationError(
            "未找到中文字体，无法生成 PDF 报告：请安装 fonts-noto-cjk（或 fonts-wqy-zenhei）",
            "no Chinese font found for PDF reports: install the Debian package fonts-noto-cjk (or fonts-wqy-zenhei)",
        )
    return found


def find_font() -> FontFile:
    return installed_fonts()[0]


@cache
def _face(font: FontFile) -> hb.Face:
    return hb.Face(hb.Blob.from_file_path(str(font.path)), font.index)


def choose_font(characters: set[str]) -> FontFile:
    """The first installed font that has every character (else the one that lacks the fewest)."""
    wanted = {ord(c) for c in characters if c.isprintable()}
    best, missing = installed_fonts()[0], None
    for font in installed_fonts():
        covered = _face(font).unicodes
        lacking = sum(1 for code in wanted if code not in covered)
        if lacking == 0:
            return font
        if missing is None or lacking < missing:
            best, missing = font, lacking
    return best


def subset_font(characters: set[str], font: FontFile | None = None) -> bytes:
    """An OpenType font holding only ``characters`` (HarfBuzz's subsetter)."""
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(c) for c in characters)
    # Without subroutines fpdf2's own (fontTools) pass over CFF outlines has less to do.
    wanted.flags = hb.SubsetFlags.DESUBROUTINIZE
    return bytes(hb.subset(_face(font or choose_font(characters)), wanted).blob.data)


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.footer_text}    第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0)


def render_pdf(document: Document, footer: str) -> bytes:
    characters = set(_ALWAYS) | set(footer) | set(_VERIFY_HINT)
    for text in document.texts():
        characters.update(text)
    with tempfile.NamedTemporaryFile(suffix=".otf") as font_file:
        font_file.write(subset_font(characters, choose_font(characters)))
        font_file.flush()
        pdf = _Pdf(format="A4")
        pdf.footer_text = footer
        pdf.set_title(f"{document.title} {document.subject_name}")
        pdf.set_creator("Xinyong")
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_font(_FAMILY, "", font_file.name)
        for font in pdf.fonts.values():
            # HarfBuzz wrote correct bounding boxes already; recomputing them from every CFF outline
            # when fpdf2 saves its own subset would double the time of a report.
            font.ttfont.recalcBBoxes = False
        _cover(pdf, document)
        for section in document.sections:
            _section(pdf, section.title, section.pairs, section.grids, section.notes)
        return bytes(pdf.output())


def _cover(pdf: _Pdf, document: Document) -> None:
    pdf.add_page()
    pdf.set_font(_FAMILY, size=22)
    pdf.ln(30)
    pdf.multi_cell(0, 12, document.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(_FAMILY, size=16)
    pdf.multi_cell(0, 10, document.subject_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   wrapmode=WrapMode.CHAR)
    pdf.ln(14)
    pdf.set_font(_FAMILY, size=11)
    for label, value in document.cover:
        pdf.set_x(40)
        pdf.cell(32, 9, label)
        pdf.multi_cell(100, 9, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    if document.verify_url:
        image = io.BytesIO()
        segno.make(document.verify_url, error="m").save(image, kind="png", scale=6, border=2)
        image.seek(0)
        pdf.image(image, x=(pdf.w - 45) / 2, y=pdf.get_y() + 8, w=45)
        pdf.set_y(pdf.get_y() + 57)
        pdf.set_font(_FAMILY, size=9)
        pdf.multi_cell(0, 5, _VERIFY_HINT.format(url=document.verify_url),
                       align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


def _section(pdf: _Pdf, title: str, pairs: list[tuple[str, str]], grids: list[Grid], notes: list[str]) -> None:
    if pdf.get_y() > pdf.h - 60 or pdf.page_no() == 1:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(_FAMILY, size=14)
    pdf.cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, size=9)
    if pairs:
        with pdf.table(col_widths=(30, 70), text_align="LEFT", wrapmode=WrapMode.CHAR, first_row_as_headings=False,
                       line_height=6) as table:
            for label, value in pairs:
                row = table.row()
                row.cell(label)
                row.cell(value)
        pdf.ln(2)
    for grid in grids:
        if len(grid.rows) >= LONG_GRID_ROWS:
            _long_grid(pdf, grid)
        else:
            _table(pdf, grid)
        pdf.ln(2)
    for note in notes:
        pdf.multi_cell(0, 6, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


def _table(pdf: _Pdf, grid: Grid) -> None:
    heading = FontFace(emphasis="NONE", fill_color=_HEADING_FILL)
    with pdf.table(col_widths=tuple(grid.widths), text_align="LEFT", wrapmode=WrapMode.CHAR,
                   headings_style=heading, line_height=_LINE) as table:
        header = table.row()
        for text in grid.headers:
            header.cell(text)
        for cells in grid.rows:
            row = table.row()
            for text in cells:
                row.cell(text)


def _long_grid(pdf: _Pdf, grid: Grid) -> None:
    """A table of thousands of rows (a review list): cells drawn directly, wrapped only when they must
    be, the header repeated on each page. fpdf2's ``table()`` lays every cell out twice, which made a
    10,000-row review take minutes."""
    total = sum(grid.widths)
    widths = [pdf.epw * w / total for w in grid.widths]

    def header() -> None:
        pdf.set_fill_color(*_HEADING_FILL)
        for text, width in zip(grid.headers, widths, strict=True):
            pdf.cell(width, _LINE, text, border=1, fill=True)
        pdf.ln(_LINE)

    header()
    for cells in grid.rows:
        lines = [_lines(pdf, text, width) for text, width in zip(cells, widths, strict=True)]
        height = _LINE * max(len(found) for found in lines)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            header()
        x, y = pdf.l_margin, pdf.get_y()
        for width, found in zip(widths, lines, strict=True):
            pdf.rect(x, y, width, height)
            for index, text in enumerate(found):
                pdf.set_xy(x, y + index * _LINE)
                pdf.cell(width, _LINE, text)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)


def _lines(pdf: _Pdf, text: str, width: float) -> list[str]:
    if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]
    return list(pdf.multi_cell(width, _LINE, text, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR))
