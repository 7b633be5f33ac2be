"""Excel workbook of a customer base (xlsxwriter): frames in, bytes out.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-`` or ``@``) is always written as text.
"""

import io

import pandas as pd
import xlsxwriter

from .lifecycle import STAGES

CUSTOMER_COLUMNS = [
    # (header, metrics column, kind)
    ("Customer", None, "text"),
    ("Stage", "customer_stage", "text"),
    ("Segment", "customer_segment", "text"),
    ("ABC", "abc_class", "text"),
    ("XYZ", "xyz_class", "text"),
    ("Orders", "order_count", "int"),
    ("First order", "first_order_date", "date"),
    ("Last order", "last_order_date", "date"),
    ("Days since last order", "days_since_last_order", "int"),
    ("Usual days between orders", "median_order_interval", "number"),
    ("Next order expected", "next_order_date", "date"),
    ("Revenue to date", "revenue_total", "money"),
    ("Margin to date", "margin_total", "money"),
    ("Average order (S)", "average_order_value", "money"),
    ("Orders per month (C)", "purchase_frequency", "number"),
    ("Margin rate (P)", "profitability", "percent"),
    ("Lifetime, months (T)", "customer_lifetime_months", "number"),
    ("LTV", "ltv", "money"),
    ("Revenue in window", "revenue_window", "money"),
    ("Share of revenue", "revenue_share", "percent"),
    ("Dependency risk", "dependency_risk", "text"),
    ("Key account", "is_key_account", "bool"),
]
COLUMN_WIDTH = 16  # characters
NAME_WIDTH = 32  # characters


def _is_missing(value):
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _write(sheet, row, col, value, kind, formats):
    if _is_missing(value):
        sheet.write_blank(row, col, None)
    elif kind == "text":
        sheet.write_string(row, col, str(value).upper() if len(str(value)) == 1 else str(value))
    elif kind == "date":
        sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), formats["date"])
    elif kind == "bool":
        sheet.write_boolean(row, col, bool(value))
    else:
        sheet.write_number(row, col, float(value), formats.get(kind))


def build_workbook(result, *, as_of, margin_note):
    """Bytes of the workbook of a :class:`~.engine.CustomerBase`."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "number": workbook.add_format({"num_format": "0.00"}),
        "int": workbook.add_format({"num_format": "0"}),
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }
    metrics = result.metrics
    summary = workbook.add_worksheet("Summary")
    summary.set_column(0, 0, NAME_WIDTH)
    summary.set_column(1, 2, COLUMN_WIDTH)
    summary.write_string(0, 0, "Customer base", formats["title"])
    summary.write_string(1, 0, "As of")
    summary.write_datetime(1, 1, pd.Timestamp(as_of).to_pydatetime(), formats["date"])
    summary.write_string(2, 0, "Margin")
    summary.write_string(2, 1, margin_note)
    summary.write_string(3, 0, "Customers")
    summary.write_number(3, 1, len(metrics))
    summary.write_string(4, 0, "Revenue in window")
    summary.write_number(4, 1, result.window_revenue, formats["money"])
    summary.write_string(5, 0, "Customer lifetime used (months)")
    summary.write_number(5, 1, result.lifetime_months, formats["number"])
    summary.write_row(7, 0, ["Stage", "Customers"], formats["header"])
    counts = metrics["customer_stage"].value_counts()
    for offset, stage in enumerate(STAGES):
        summary.write_string(8 + offset, 0, stage)
        summary.write_number(8 + offset, 1, int(counts.get(stage, 0)))
    first = 8 + len(STAGES) + 1
    summary.write_row(first, 0, ["ABC class", "Customers", "Revenue in window"], formats["header"])
    for offset, abc in enumerate("abc"):
        selected = metrics[metrics["abc_class"] == abc]
        summary.write_string(first + 1 + offset, 0, abc.upper())
        summary.write_number(first + 1 + offset, 1, len(selected))
        summary.write_number(first + 1 + offset, 2, float(selected["revenue_window"].sum()), formats["money"])
    chart = workbook.add_chart({"type": "pie"})
    chart.add_series(
        {
            "name": "Revenue by ABC class",
            "categories": ["Summary", first + 1, 0, first + 3, 0],
            "values": ["Summary", first + 1, 2, first + 3, 2],
        }
    )
    chart.set_title({"name": "Revenue by ABC class"})
    summary.insert_chart(1, 4, chart)

    sheet = workbook.add_worksheet("Customers")
    sheet.write_row(0, 0, [header for header, _column, _kind in CUSTOMER_COLUMNS], formats["header"])
    sheet.set_column(0, 0, NAME_WIDTH)
    sheet.set_column(1, len(CUSTOMER_COLUMNS) - 1, COLUMN_WIDTH)
    ordered = metrics.sort_values("revenue_total", ascending=False, na_position="last")
    for row, (customer, values) in enumerate(ordered.iterrows(), start=1):
        sheet.write_string(row, 0, str(customer))
        for col, (_header, column, kind) in enumerate(CUSTOMER_COLUMNS[1:], start=1):
            _write(sheet, row, col, values[column], kind, formats)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(ordered), 1), len(CUSTOMER_COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
