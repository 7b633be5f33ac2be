"""The Lifecycle sheet: customers by stage with their funnel chart, then the stage changes of the period."""

import pandas as pd

from ..lifecycle import STAGES
from ..vocabulary import _
from .layout import CHART_HEIGHT_ROWS, COUNT_SCALE, header_width
from .writer import NONE_LABEL

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

FUNNEL_COLUMN = 4  # column E: the funnel chart stands right of the stages


def write_lifecycle(writer):
    """Stages and their shares, the funnel, and a from-stage x to-stage table of the changes."""
    data = writer.data
    sheet = writer.add_sheet("lifecycle")
    customers = writer.customers_frame
    stages = customers["customer_stage"] if "customer_stage" in customers else pd.Series(dtype=object)
    counts = stages.value_counts()
    total = max(int(counts.sum()), 1)
    specs = [(_("Stage"), None, "text"), (_("Customers"), None, "int"), (_("Share"), None, "ratio")]
    rows = [
        (data.stage_labels.get(stage, stage), int(counts.get(stage, 0)), counts.get(stage, 0) / total)
        for stage in STAGES
    ]
    # the stage changes: customers from the stage of each row to the stage of each column
    transitions = data.transitions.assign(from_stage=data.transitions["from_stage"].astype(object).fillna(""))
    table = (
        transitions.pivot_table(index="from_stage", columns="to_stage", values="customers", aggfunc="sum", fill_value=0)
        if len(transitions)
        else pd.DataFrame()
    )
    sources = [None, *STAGES]  # None: not yet a customer
    changes = []
    for source in sources:
        label = writer.tr(NONE_LABEL) if source is None else data.stage_labels.get(source, source)
        key = "" if source is None else source
        values = [
            int(table.at[key, target]) if key in table.index and target in table.columns else 0 for target in STAGES
        ]
        changes.append((label, [*values, sum(values)]))
    header = [writer.tr(_("From \\ To")), *[data.stage_labels.get(s, s) for s in STAGES], writer.tr(_("Total"))]
    for col, text in enumerate(header):
        writer.fit(sheet, col, header_width(text))
    writer.fit_values(sheet, 0, "text", [label for label, _values in changes])
    for col in range(1, len(header)):
        writer.fit_values(sheet, col, "int", [values[col - 1] for _label, values in changes])

    row = writer.table(sheet, 0, specs, pd.DataFrame(rows))
    funnel = writer.workbook.add_chart({"type": "bar"})
    funnel.add_series(
        writer.series(
            writer.tr(_("Customers")),
            "lifecycle",
            1,
            len(STAGES),
            0,
            1,
            [label for label, _count, _share in rows],
            [count for _label, count, _share in rows],
        )
    )
    funnel.set_title({"name": writer.tr(_("Lifecycle funnel"))})
    funnel.set_legend({"none": True})
    funnel.set_y_axis({"reverse": True})
    sheet.insert_chart(0, FUNNEL_COLUMN, funnel)
    row = max(row + 1, CHART_HEIGHT_ROWS + 1)
    sheet.write_string(row, 0, writer.tr(_("Stage changes in the period")), writer.formats["bold"])
    if data.transitions_note:
        sheet.write_string(row + 1, 0, data.transitions_note)
    row += 2
    writer.header_row(sheet, row, header)
    for offset, (label, values) in enumerate(changes, start=1):
        sheet.write_string(row + offset, 0, label, writer.formats["bold"])
        for col, value in enumerate(values, start=1):
            sheet.write_number(row + offset, col, value)
    sheet.conditional_format(row + 1, 1, row + len(sources), len(STAGES), COUNT_SCALE)
