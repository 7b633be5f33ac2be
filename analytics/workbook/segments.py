"""The ABC-XYZ sheet: customers and revenue by ABC class (rows) and XYZ class (columns), with colour scales."""

import pandas as pd

from ..vocabulary import ABC_CLASS_LABELS, XYZ_CLASS_LABELS, _
from .layout import BOLD_WIDTH_FACTOR, CELL_PADDING_CHARS, COUNT_SCALE, header_width, text_width

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

ABC = tuple(ABC_CLASS_LABELS.values())  # the classes as the sheets show them, in capitals
XYZ = tuple(XYZ_CLASS_LABELS.values())
MATRIX_ROWS = 8  # rows a matrix takes: title, header, A, B, C, total, and two blank rows before the next
# little revenue is the signal: red to green
REVENUE_SCALE = {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}


def write_matrix(writer):
    """Two matrices, customers then revenue in the window, each with its totals."""
    sheet = writer.add_sheet("matrix")
    customers = writer.customers_frame
    if {"abc_class", "xyz_class"} <= set(customers.columns):
        grouped = customers.groupby(["abc_class", "xyz_class"])
        counts = grouped.size()
        revenue = grouped["revenue_window"].sum() if "revenue_window" in customers else counts * 0.0
    else:
        counts = revenue = pd.Series(dtype=float)
    header = ["ABC \\ XYZ", *XYZ, writer.tr(_("Total"))]
    matrices = []
    for title, values, kind in ((_("Customers"), counts, "int"), (_("Revenue in window"), revenue, "money")):
        # rows A, B, C and the total, each with its X, Y, Z cells and their total
        cells = [[float(values.get((abc, xyz), 0)) for xyz in XYZ] for abc in ABC]
        cells.append([sum(column) for column in zip(*cells, strict=True)])
        matrices.append((title, [[*line, sum(line)] for line in cells], kind))
        for col in range(1, len(XYZ) + 2):
            writer.fit_values(sheet, col, kind, [line[col - 1] for line in matrices[-1][1]])
    for col, text in enumerate(header):
        writer.fit(sheet, col, header_width(text))
    writer.fit(sheet, 0, text_width(writer.tr(_("Total"))) * BOLD_WIDTH_FACTOR + CELL_PADDING_CHARS)
    row = 0
    for title, lines, kind in matrices:
        sheet.write_string(
            row,
            0,
            writer.tr(_("%(what)s by ABC class (rows) and XYZ class (columns)"), what=writer.tr(title)),
            writer.formats["bold"],
        )
        writer.header_row(sheet, row + 1, header)
        for offset, (label, line) in enumerate(zip([*ABC, writer.tr(_("Total"))], lines, strict=True)):
            sheet.write_string(row + 2 + offset, 0, label, writer.formats["bold"])
            for col, value in enumerate(line, start=1):
                writer.cell(sheet, row + 2 + offset, col, value, kind)
        # more customers is neither good nor bad (class A holds few by design); for revenue little is the signal
        sheet.conditional_format(
            row + 2, 1, row + 1 + len(ABC), len(XYZ), COUNT_SCALE if kind == "int" else REVENUE_SCALE
        )
        row += MATRIX_ROWS
    sheet.write_string(row, 0, writer.tr(_("Customers without a class have no revenue or no order in the window.")))
