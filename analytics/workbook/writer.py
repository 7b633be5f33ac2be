"""What every sheet is written with: translated texts, typed cells, tables and fitted columns.

Written in xlsxwriter's constant-memory mode, row after row: a row's height
is set before its cells, a note before the next row, and the columns are
widened as the values go by and sized once at the end (:meth:`Writer.fit_columns`).
"""

import math

import pandas as pd

from ..vocabulary import LTV_BASIS_LABELS, _
from .customers import CUSTOMER_COLUMNS, prepare_customers
from .data import SHEETS
from .flow import by_period, totals
from .layout import (
    CELL_PADDING_CHARS,
    COMMENT_SCALE,
    DATE_WIDTH_CHARS,
    HEADER_ROW,
    LINE_HEIGHT_POINTS,
    MAX_TEXT_WIDTH_CHARS,
    MIN_COLUMN_WIDTH_CHARS,
    WIDE_CHARACTERS,
    cell_formats,
    header_width,
    set_up_printing,
    sheet_name,
    text_width,
    wrapped_lines,
)

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

NONE_LABEL = _("(none)")
YES, NO = _("Yes"), _("No")


def missing(value):
    """Whether a cell holds nothing: None, NaN, NaT or pd.NA."""
    # pd.NA too: a frame read by the caller may hold nullable columns; no pd.isna, once per cell is slow
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


class Writer:
    """One workbook being written: its formats, sheet names, column widths and the frames its sheets share."""

    def __init__(self, workbook, data):
        self.workbook = workbook
        self.data = data
        self.formats, self.currency_suffix = cell_formats(workbook, data.currency)
        self.sheet_names = {key: sheet_name(self.tr(name)) for key, name in SHEETS.items()}
        self.widths = {}  # sheet name: {column: width}, applied once every sheet is written
        self.customers_frame = prepare_customers(data.customers, self.tr)
        self.monthly = by_period(data.monthly_flow)
        self.period_totals = totals(data.period_flow)

    def tr(self, text, **params):
        """``text`` translated, with ``%(name)s`` placeholders filled from ``params``."""
        translated = self.data.translate(text)
        return translated % params if params else translated

    def add_sheet(self, key):
        """A new sheet that prints on pages as wide as one sheet of paper, its first row on each."""
        sheet = self.workbook.add_worksheet(self.sheet_names[key])
        set_up_printing(sheet, self.data.right_to_left)
        return sheet

    def series(self, name, key, first_row, last_row, category_col, value_col, categories, values):
        """A chart series over rows of sheet ``key``, with the cells' values given too.

        In constant-memory mode xlsxwriter cannot read the cells back, so
        without ``categories_data`` a chart holds no cached values and takes
        its labels for numbers: some programs then show 1, 2, 3 for months.
        """
        sheet = self.sheet_names[key]
        return {
            "name": name,
            "categories": [sheet, first_row, category_col, last_row, category_col],
            "values": [sheet, first_row, value_col, last_row, value_col],
            "categories_data": [str(category) for category in categories],
            "values_data": [None if missing(value) else float(value) for value in values],
        }

    def customer_columns(self):
        """The specs of ``CUSTOMER_COLUMNS`` whose column the customers frame holds."""
        return [spec for spec in CUSTOMER_COLUMNS if spec[1] in self.customers_frame.columns]

    def fit(self, sheet, col, width):
        """Widen column ``col`` of ``sheet`` to at least ``width``."""
        widths = self.widths.setdefault(sheet.name, {})
        widths[col] = max(widths.get(col, MIN_COLUMN_WIDTH_CHARS), width)

    def value_width(self, kind, values):
        """Characters of the widest of ``values`` as the cells of ``kind`` show them."""
        values = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
        present = values[values.notna()]
        if not len(present):
            return 0
        if kind in ("text", "class", "stage", "risk", "label", "basis"):
            labels = {"stage": self.data.stage_labels, "risk": self.data.risk_labels, "basis": LTV_BASIS_LABELS}.get(
                kind
            )
            texts = present.map(lambda value: labels.get(value, value)) if labels else present
            if kind in ("label", "basis"):
                texts = texts.map(self.tr)
            texts = texts.astype(str)
            widths = texts.str.len() + texts.str.count(WIDE_CHARACTERS.pattern)
            return min(int(widths.max()), MAX_TEXT_WIDTH_CHARS)
        if kind == "bool":
            return max(text_width(self.tr(YES)), text_width(self.tr(NO)))
        if kind == "date":
            return DATE_WIDTH_CHARS
        numbers = pd.to_numeric(present, errors="coerce").astype(float)
        biggest, sign = float(numbers.abs().max()), int(bool((numbers < 0).any()))
        if kind == "money":
            return len(f"{biggest:,.2f}") + sign + len(self.currency_suffix)
        if kind == "ratio":
            return len(f"{biggest * 100:.1f}%") + sign
        if kind == "percent":
            return len(f"{biggest:.1f}%") + sign
        if kind == "int":
            return len(f"{biggest:.0f}") + sign
        return len(f"{biggest:.2f}") + sign

    def fit_values(self, sheet, col, kind, values):
        """Widen column ``col`` of ``sheet`` to its widest of ``values``."""
        self.fit(sheet, col, self.value_width(kind, values) + CELL_PADDING_CHARS)

    def fit_table(self, sheet, specs, frame, filter_button=False):
        """Fit the columns of ``sheet`` to the headers of ``specs`` and the columns of ``frame``, in that order."""
        for col, (header, _column, kind) in enumerate(specs):
            self.fit(sheet, col, header_width(self.tr(header), filter_button))
            if len(frame):
                self.fit_values(sheet, col, kind, frame.iloc[:, col])

    def header_row(self, sheet, row, headers, first_col=0, filter_button=False):
        """Write a header row, tall enough for its longest header (constant-memory mode: height first)."""
        widths = self.widths.get(sheet.name, {})
        lines = max(
            (
                wrapped_lines(text, widths.get(col, MIN_COLUMN_WIDTH_CHARS), bold=True, filter_button=filter_button)
                for col, text in enumerate(headers, start=first_col)
            ),
            default=1,
        )
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT_POINTS * lines)
        sheet.write_row(row, first_col, headers, self.formats["header"])

    def fit_columns(self):
        """Give every column the width fitted while its sheet was written."""
        for sheet in self.workbook.worksheets():
            for col, width in sorted(self.widths.get(sheet.name, {}).items()):
                sheet.set_column(col, col, round(width, 1))

    def cell(self, sheet, row, col, value, kind):
        """Write ``value`` as the cells of ``kind`` show it; nothing for a missing value."""
        if missing(value):
            return
        if kind in ("text", "class"):
            sheet.write_string(row, col, str(value))
        elif kind == "stage":
            sheet.write_string(row, col, self.data.stage_labels.get(value, str(value)))
        elif kind == "risk":
            sheet.write_string(row, col, self.data.risk_labels.get(value, str(value)))
        elif kind == "label":
            sheet.write_string(row, col, self.tr(value))
        elif kind == "basis":
            sheet.write_string(row, col, self.tr(LTV_BASIS_LABELS.get(value, str(value))))
        elif kind == "date":
            sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), self.formats["date"])
        elif kind == "bool":
            # words, as the user reads them: Excel would show TRUE/FALSE, untranslated
            sheet.write_string(row, col, self.tr(YES if value else NO))
        elif kind == "percent":
            sheet.write_number(row, col, float(value) / 100, self.formats["percent"])
        else:
            sheet.write_number(row, col, float(value), self.formats.get(kind))

    def table(self, sheet, first_row, specs, frame, filter_button=False, notes=None):
        """Header + typed rows (``frame``'s columns in ``specs`` order), columns fitted; returns the next free row.

        :param notes: ``{column: text}`` of notes (comments) on header cells
        """
        self.fit_table(sheet, specs, frame, filter_button)
        self.header_row(sheet, first_row, [self.tr(header) for header, _c, _k in specs], filter_button=filter_button)
        for col, text in sorted((notes or {}).items()):
            # constant-memory mode: a note goes on its row before the next row is written
            sheet.write_comment(first_row, col, text, {"x_scale": COMMENT_SCALE, "y_scale": COMMENT_SCALE})
        row = first_row
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=first_row + 1):
            for col, (value, (_header, _column, kind)) in enumerate(zip(values, specs, strict=True)):
                self.cell(sheet, row, col, value, kind)
        return row + 1

    def list_sheet(self, key, specs, frame, more=(), notes=None):
        """A sheet holding a table with a frozen header and an autofilter, then the ``(specs, frame)`` of ``more``.

        :param notes: ``{column: text}`` of notes on the first table's header cells
        """
        sheet = self.add_sheet(key)
        tables = [(specs, frame), *more]
        tables = [(specs, frame[[column for _h, column, _k in specs]]) for specs, frame in tables]
        for specs_, frame_ in tables[1:]:  # the first header's height must allow for the columns below it
            self.fit_table(sheet, specs_, frame_)
        end = self.table(sheet, HEADER_ROW, *tables[0], filter_button=True, notes=notes)
        sheet.freeze_panes(HEADER_ROW + 1, 1)
        sheet.autofilter(HEADER_ROW, 0, max(end - 1, 1), len(specs) - 1)
        for specs_, frame_ in tables[1:]:
            end = self.table(sheet, end + 1, specs_, frame_)
        return sheet, end
