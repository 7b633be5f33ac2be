"""How the sheets look: cell formats, column widths, row heights, print setup.

Column widths are in Excel's unit, the width of a digit: a column is as wide
as its header and its widest value, so that amounts never turn into "####"
and headers never break inside a word.
"""

import re
import textwrap

HEADER_ROW = 0  # the row of a list sheet's header, frozen and repeated on every printed page
MAX_SHEET_NAME_CHARS = 31  # Excel allows no longer sheet name
MIN_COLUMN_WIDTH_CHARS = 6
MAX_TEXT_WIDTH_CHARS = 50  # a longer name is cut at the cell's edge rather than widen the sheet
MAX_HEADER_WIDTH_CHARS = 14  # a longer header wraps between its words
CELL_PADDING_CHARS = 2  # margin around a value
FILTER_BUTTON_CHARS = 2  # what the autofilter's arrow covers in a header
BOLD_WIDTH_FACTOR = 1.1  # bold letters are wider
LINE_HEIGHT_POINTS = 15  # per line of wrapped text
DATE_WIDTH_CHARS = len("2000-01-01")
CHART_HEIGHT_ROWS = 16  # rows a chart covers
# xlsxwriter's chart is 480 pixels wide, over columns of Excel's default 64 pixels from E on
CHART_WIDTH_COLUMNS = 8  # columns a chart covers (7.5, the last one in part)
SUMMARY_CHART_COLUMN = 4  # column E: the Summary's charts stand right of its tables
COMMENT_SCALE = 2  # a note on a header opens twice the default size, to read its sentence whole
# more customers is neither good nor bad: a plain white-to-blue scale for counts
COUNT_SCALE = {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#5B9BD5"}
# Chinese, Japanese and Korean characters (and full-width forms) take two
# digits' width: a column fitted on their count would cut them in half.
WIDE_CHARACTERS = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def text_width(text):
    """Width of ``text`` in digits: one per character, two per wide (CJK) character."""
    return len(text) + len(WIDE_CHARACTERS.findall(text))


def header_width(text, filter_button=False):
    """Width of a column that shows the (bold, wrapping) header ``text``: it wraps between words, never inside one."""
    longest_word = max((text_width(word) for word in text.split()), default=0)
    return (
        max(min(text_width(text), MAX_HEADER_WIDTH_CHARS), longest_word) * BOLD_WIDTH_FACTOR
        + CELL_PADDING_CHARS
        + (FILTER_BUTTON_CHARS if filter_button else 0)
    )


def wrapped_lines(text, width, bold=False, filter_button=False):
    """Lines ``text`` takes in a wrapping cell ``width`` wide."""
    room = (width - CELL_PADDING_CHARS - (FILTER_BUTTON_CHARS if filter_button else 0)) / (
        BOLD_WIDTH_FACTOR if bold else 1
    )
    return max(len(textwrap.wrap(text, max(int(room), 1), break_long_words=False)), 1)


def sheet_name(translated):
    """A valid sheet name from a translated one: none of ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", translated)[:MAX_SHEET_NAME_CHARS]


def cell_formats(workbook, currency):
    """The workbook's cell formats by kind of value, and the suffix money cells show (``" EUR"`` or ``""``)."""
    # any code or sign ("EUR", "€", "R$") fits between the quotes of a number format but a quote
    shown = currency and not set('"\\') & set(currency)
    money = "#,##0.00" + (f' "{currency}"' if shown else "")
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": money}),
        "ratio": workbook.add_format({"num_format": "0.0%"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "number": workbook.add_format({"num_format": "0.00"}),
        "int": workbook.add_format({"num_format": "0"}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "note": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
    }
    return formats, f" {currency}" if shown else ""


def set_up_printing(sheet, right_to_left=False):
    """Print ``sheet`` landscape on pages one sheet of paper wide, its header row on each; read it from the right
    for right-to-left languages."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
    sheet.repeat_rows(HEADER_ROW)
    if right_to_left:
        sheet.right_to_left()
