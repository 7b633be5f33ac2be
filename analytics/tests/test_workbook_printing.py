"""The workbook on paper and at a glance: charts whole on one page, wide sheets readable, colours that
mean what they say, scores as numbers, empty prediction columns explained, the sample's formula test named."""

import dataclasses
import datetime
import io
import pathlib

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import range_boundaries

from analytics.__main__ import main
from analytics.cli.report import workbook_data_from_orders
from analytics.settings import Settings
from analytics.workbook import build_workbook

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "sample" / "transactions.csv"
AS_OF = datetime.date(2026, 3, 31)
ORDERS = pd.DataFrame(
    {
        "partner_id": ["Acme", "Acme", "Acme", "Bolt", "Cody"],
        "date": pd.to_datetime(["2024-12-10", "2025-11-20", "2026-02-05", "2025-12-03", "2024-01-15"]),
        "revenue": [500.0, 700.0, 650.0, 90.0, 40.0],
        "margin": [125.0, 175.0, 160.0, 22.0, 10.0],
        "user_id": ["Ann", "Ann", "Ann", "Ben", None],
    }
)
FEEDBACK = pd.DataFrame(
    {
        "date": pd.to_datetime(["2026-03-01", "2026-03-20"]),
        "customer": ["Acme", "Bolt"],
        "salesperson": ["Ann", "Ben"],
        "satisfaction": [4.5, 2.0],
        "recommendation": [10, 3],
    }
)
WIDE_SHEETS = ("Customers", "Salespeople", "Feedback")


def data_of(**changes):
    data = workbook_data_from_orders(
        ORDERS, as_of=AS_OF, date_from=datetime.date(2025, 11, 1), settings=Settings(), company="Test"
    )
    return dataclasses.replace(data, **changes)


def workbook_of(**changes):
    return openpyxl.load_workbook(io.BytesIO(build_workbook(data_of(**changes))))


@pytest.fixture(scope="module")
def workbook():
    return workbook_of(feedback=FEEDBACK)


def test_summary_prints_on_one_page_with_every_chart_inside_what_prints(workbook):
    sheet = workbook["Summary"]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, "fitted to pages"
    assert (sheet.page_setup.fitToWidth or 1) == 1, "one page wide (1 when left out)"
    assert (sheet.page_setup.fitToHeight or 1) == 1, "one page tall: no page break runs through a chart"
    assert sheet.print_area, "a print area that holds the charts, not only the cells written"
    first_col, first_row, last_col, last_row = range_boundaries(sheet.print_area.split("!")[-1].replace("$", ""))
    assert (first_col, first_row) == (1, 1), f"from A1: {sheet.print_area}"
    assert len(sheet._charts) == 3, "the ABC pie, the stage bars and the CRR line"
    for chart in sheet._charts:
        end = chart.anchor.to  # 0-based
        assert end.col + 1 <= last_col and end.row + 1 <= last_row, (
            f"chart ending at column {end.col + 1}, row {end.row + 1} inside {sheet.print_area}"
        )
    assert sheet.max_row <= last_row, f"every table row prints: {sheet.max_row} rows, {sheet.print_area}"


@pytest.mark.parametrize("name", WIDE_SHEETS)
def test_wide_sheets_print_landscape_one_page_wide_header_on_each_page_and_frozen(workbook, name):
    sheet = workbook[name]
    assert sheet.page_setup.orientation == "landscape", f"{name}: landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, f"{name}: fitted to pages"
    assert (sheet.page_setup.fitToWidth or 1) == 1, f"{name}: one page wide (1 when left out)"
    assert sheet.page_setup.fitToHeight == 0, f"{name}: as many pages tall as it takes"
    assert sheet.print_title_rows == "$1:$1", f"{name}: the header row on every printed page"
    assert sheet.freeze_panes == "B2", f"{name}: header row and first column frozen"


def is_red(color):
    red, green, blue = (int(color.rgb[-6:][index : index + 2], 16) for index in (0, 2, 4))
    return red > 200 and green < 160 and blue < 160


def test_count_matrix_paints_no_cell_red(workbook):
    # class A holds few customers by design: a red "fewest" would mark the best customers as bad
    sheet = workbook["ABC-XYZ"]
    assert sheet["A1"].value.startswith("Customers by ABC class"), "the count matrix comes first"
    rules = [rule for scope in sheet.conditional_formatting if str(scope.sqref) == "B3:D5" for rule in scope.rules]
    assert rules, "the counts still carry a colour scale"
    colors = [color for rule in rules for color in (rule.colorScale.color if rule.colorScale else [])]
    assert colors and not any(is_red(color) for color in colors), f"no red: {[c.rgb for c in colors]}"
    assert all(rule.type == "colorScale" for rule in rules), "a scale, no rule that flags cells"


def test_rfm_score_is_written_as_a_number(workbook):
    sheet = workbook["Customers"]
    headers = [cell.value for cell in sheet[1]]
    col = headers.index("RFM score") + 1
    cells = [sheet.cell(row, col) for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value]
    assert cells, "customers with a score"
    for cell in cells:
        assert cell.data_type == "n" and isinstance(cell.value, int | float), f"{cell.coordinate}: {cell.value!r}"
        assert 111 <= cell.value <= 555, f"{cell.coordinate}: three digits 1 to 5, {cell.value}"
        assert cell.number_format == "0", f"{cell.coordinate}: shown as a whole number"


def test_empty_prediction_columns_are_explained_on_the_summary_and_their_header():
    reason = "4 customers: at least 10 are needed"
    workbook = workbook_of(prediction_note=reason)
    facts = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, max_row=5, values_only=True)}
    assert reason in (facts.get("Prediction") or ""), f"the Summary says why: {facts}"
    assert "left empty" in facts["Prediction"], f"and what it means for the columns: {facts['Prediction']}"
    sheet = workbook["Customers"]
    header = next(cell for cell in sheet[1] if cell.value == "Probability still active")
    assert header.comment is not None and reason in header.comment.text, "a note on the first prediction column"
    assert workbook["Summary"]["A7"].value == "Customers", "the indicators stay where they were"


def test_filled_prediction_columns_carry_no_note():
    workbook = workbook_of(prediction_note="")
    labels = [row[0] for row in workbook["Summary"].iter_rows(min_row=2, max_row=5, values_only=True)]
    assert "Prediction" not in labels, f"nothing to explain: {labels}"
    assert not any(cell.comment for cell in workbook["Customers"][1]), "no note on the headers"


def test_command_explains_why_the_prediction_is_missing(tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("customer,date,amount\nAcme,2026-01-10,100\nAcme,2026-02-10,120\nBolt,2026-02-11,80\n")
    output = tmp_path / "few.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-03-31"]) == 0, "the command succeeds"
    summary = openpyxl.load_workbook(output)["Summary"]
    facts = {row[0]: row[1] for row in summary.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert "2 customers: at least 10 are needed" in (facts.get("Prediction") or ""), f"the fit's reason: {facts}"


def test_sample_names_its_formula_customer_as_a_test_and_writes_it_as_text(tmp_path):
    names = {line.split(",")[0] for line in SAMPLE.read_text(encoding="utf-8").splitlines()[1:]}
    formulas = {name for name in names if name.lstrip('"').startswith(("=", "+", "-", "@"))}
    assert formulas == {'"=SUM(1) (formula safety test)"'}, f"one formula-like name, saying what it is: {formulas}"
    output = tmp_path / "sample.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    sheet = openpyxl.load_workbook(output)["Customers"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value and "formula safety" in row[0].value]
    assert [(cell.value, cell.data_type) for cell in cells] == [("=SUM(1) (formula safety test)", "s")], (
        "written as text, never as a formula"
    )
