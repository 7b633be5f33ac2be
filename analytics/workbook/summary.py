"""The Summary sheet: the period's facts, its KPIs and CRR, customers by stage and revenue by ABC class,
with their charts beside the tables, on one sheet of paper."""

import pandas as pd

from ..lifecycle import STAGES
from ..vocabulary import _
from .customers import prediction_note
from .flow import FLOW_HEADERS, period_label
from .layout import (
    CHART_HEIGHT_ROWS,
    CHART_WIDTH_COLUMNS,
    LINE_HEIGHT_POINTS,
    MIN_COLUMN_WIDTH_CHARS,
    SUMMARY_CHART_COLUMN,
    header_width,
    wrapped_lines,
)

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

KPI_ROW = 5  # the KPIs' header, below the title and the facts
FACT_COLUMNS = (1, 2, 3)  # a fact's text spans columns B to D, clear of the charts from column E


def write_summary(writer):
    """Title, facts, KPIs, customers by stage and revenue by ABC class; their pie, bar and CRR line charts."""
    data = writer.data
    sheet = writer.add_sheet("summary")
    # the Summary on one sheet of paper: its charts stand beside the tables, and a page break
    # running through them would cut a chart in two
    sheet.fit_to_pages(1, 1)
    facts = [
        (_("Period"), f"{data.date_from.isoformat()} - {data.date_to.isoformat()}"),
        (_("Currency"), data.currency or writer.tr(_("no currency given"))),
        (_("Margin"), data.margin_note),
    ]
    if prediction_note(writer):
        facts.append((_("Prediction"), prediction_note(writer)))
    totals = writer.period_totals
    customers = writer.customers_frame
    stages = customers["customer_stage"] if "customer_stage" in customers else pd.Series(dtype=object)
    kpis = [
        (_("Customers"), len(customers), "int"),
        (_("Active at period start (S)"), totals["customers_start"], "int"),
        (_("Active at period end (E)"), totals["customers_end"], "int"),
        (_("New customers (N)"), totals["customers_new"], "int"),
        (_("Lost customers"), totals["customers_lost"], "int"),
        (_("Reactivated customers"), totals["customers_reactivated"], "int"),
        (_("Kept (never lost in the period)"), totals["customers_retained"], "int"),
        (_("CRR = (E - N) / S"), totals["crr"], "percent"),
        (_("Strict retention = kept / S"), totals["strict_retention"], "percent"),
        (_("Revenue in period"), totals["revenue"], "money"),
        (_("At-risk customers now"), int((stages == "at_risk").sum()), "int"),
        (_("Lost customers now"), int((stages == "lost").sum()), "int"),
    ]
    if "is_key_account" in customers:
        kpis.append((_("Key accounts"), int(customers["is_key_account"].fillna(False).astype(bool).sum()), "int"))
    if data.lifetime_months is not None:
        kpis.append((_("Customer lifetime used (months)"), data.lifetime_months, "number"))
    # customers per stage, revenue per ABC class: the charts' sources
    counts = stages.value_counts()
    stage_labels = [data.stage_labels.get(stage, stage) for stage in STAGES]
    stage_counts = [int(counts.get(stage, 0)) for stage in STAGES]
    abc_counts, abc_revenue = [], []
    for abc in "ABC":
        selected = customers[customers["abc_class"] == abc] if "abc_class" in customers else customers.iloc[:0]
        abc_counts.append(len(selected))
        abc_revenue.append(float(selected["revenue_window"].sum()) if "revenue_window" in selected else 0.0)
    kpi_header = [writer.tr(_("Indicator")), writer.tr(_("Value"))]
    stage_header = [writer.tr(_("Stage")), writer.tr(_("Customers"))]
    abc_header = [writer.tr(_("ABC class")), writer.tr(_("Customers")), writer.tr(_("Revenue in window"))]

    # widths first: in constant-memory mode a row's height is set before its cells
    labels = [writer.tr(label) for label, _value in facts] + [writer.tr(label) for label, _v, _k in kpis]
    writer.fit_values(sheet, 0, "text", labels + stage_labels)
    for header in (kpi_header, stage_header, abc_header):
        for col, text in enumerate(header):
            writer.fit(sheet, col, header_width(text))
    for _label, value, kind in kpis:
        writer.fit_values(sheet, 1, kind, [value])
    writer.fit_values(sheet, 1, "int", stage_counts + abc_counts)
    writer.fit_values(sheet, 2, "money", abc_revenue)

    sheet.write_string(0, 0, writer.tr(_("Customer base - %(company)s"), company=data.company), writer.formats["title"])
    room = sum(writer.widths[sheet.name].get(col, MIN_COLUMN_WIDTH_CHARS) for col in FACT_COLUMNS)
    for row, (label, value) in enumerate(facts, start=1):
        lines = wrapped_lines(value or "", room)
        if lines > 1:
            sheet.set_row(row, LINE_HEIGHT_POINTS * lines)
        sheet.write_string(row, 0, writer.tr(label), writer.formats["note"])
        sheet.merge_range(row, FACT_COLUMNS[0], row, FACT_COLUMNS[-1], value or "", writer.formats["note"])
    writer.header_row(sheet, KPI_ROW, kpi_header)
    for row, (label, value, kind) in enumerate(kpis, start=KPI_ROW + 1):
        sheet.write_string(row, 0, writer.tr(label))
        writer.cell(sheet, row, 1, value, kind)
    row = KPI_ROW + len(kpis)
    stage_row = row + 2
    writer.header_row(sheet, stage_row, stage_header)
    for offset, (label, count) in enumerate(zip(stage_labels, stage_counts, strict=True), start=1):
        sheet.write_string(stage_row + offset, 0, label)
        sheet.write_number(stage_row + offset, 1, count)
    abc_row = stage_row + len(STAGES) + 2
    writer.header_row(sheet, abc_row, abc_header)
    for offset, (abc, count, revenue) in enumerate(zip("ABC", abc_counts, abc_revenue, strict=True), start=1):
        sheet.write_string(abc_row + offset, 0, abc)
        sheet.write_number(abc_row + offset, 1, count)
        sheet.write_number(abc_row + offset, 2, revenue, writer.formats["money"])

    pie = writer.workbook.add_chart({"type": "pie"})
    name = writer.tr(_("Revenue by ABC class"))
    pie.add_series(
        {
            **writer.series(name, "summary", abc_row + 1, abc_row + 3, 0, 2, "ABC", abc_revenue),
            "data_labels": {"percentage": True},
        }
    )
    pie.set_title({"name": name})
    sheet.insert_chart(1, SUMMARY_CHART_COLUMN, pie)
    bars = writer.workbook.add_chart({"type": "bar"})
    bars.add_series(
        writer.series(
            writer.tr(_("Customers")),
            "summary",
            stage_row + 1,
            stage_row + len(STAGES),
            0,
            1,
            stage_labels,
            stage_counts,
        )
    )
    bars.set_title({"name": writer.tr(_("Customers by stage"))})
    bars.set_legend({"none": True})
    bars.set_y_axis({"reverse": True})
    sheet.insert_chart(1 + CHART_HEIGHT_ROWS, SUMMARY_CHART_COLUMN, bars)
    months = len(writer.monthly)
    if months:
        line = writer.workbook.add_chart({"type": "line"})
        crr_col = 1 + [column for _h, column, _k in FLOW_HEADERS].index("crr")
        line.add_series(
            {
                **writer.series(
                    writer.tr(_("CRR")),
                    "retention",
                    1,
                    months,
                    0,
                    crr_col,
                    [period_label(writer.tr, "month", start) for start in writer.monthly["period_start"]],
                    writer.monthly["crr"] / 100,
                ),
                "marker": {"type": "circle"},
            }
        )
        line.set_title({"name": writer.tr(_("CRR by month"))})
        line.set_y_axis({"num_format": "0%"})
        line.set_legend({"none": True})
        sheet.insert_chart(1 + 2 * CHART_HEIGHT_ROWS, SUMMARY_CHART_COLUMN, line)
    # what prints: the tables and every chart whole (a chart beyond the last cell written may be left out)
    charts = 3 if months else 2
    sheet.print_area(0, 0, max(abc_row + 3, charts * CHART_HEIGHT_ROWS), SUMMARY_CHART_COLUMN + CHART_WIDTH_COLUMNS - 1)
