"""The workbook as a spreadsheet program shows it: periods, chart labels, cells, print setup."""

import dataclasses
import datetime
import io

import openpyxl
import pandas as pd
import pytest
from conftest import sheet_table as rows

from analytics.cli.report import workbook_data_from_orders
from analytics.settings import Settings
from analytics.workbook import build_workbook

AS_OF = datetime.date(2026, 3, 31)
FROM = datetime.date(2025, 11, 1)


def orders(rows):
    """Orders frame from (customer, date, revenue) tuples, margin a quarter of revenue."""
    frame = pd.DataFrame(rows, columns=["partner_id", "date", "revenue"])
    return frame.assign(date=pd.to_datetime(frame["date"]), margin=frame["revenue"] / 4, user_id=None)


ORDERS = orders(
    [
        ("Acme", "2024-12-10", 500.0),
        ("Acme", "2025-11-20", 700.0),
        ("Acme", "2026-02-05", 650.0),
        ("Bolt", "2025-12-03", 90.0),
        ("Cody", "2024-01-15", 40.0),
    ]
)


def workbook_of(frame=ORDERS, date_from=FROM, **options):
    data = workbook_data_from_orders(
        frame, as_of=AS_OF, date_from=date_from, settings=Settings(), company="Test", **options
    )
    return openpyxl.load_workbook(io.BytesIO(build_workbook(data)))


@pytest.fixture(scope="module")
def workbook():
    return workbook_of()


def column(sheet, col, first_row, last_row):
    return [sheet.cell(row, col).value for row in range(first_row, last_row + 1)]


def test_retention_sheet_names_months_quarters_and_years(workbook):
    sheet = workbook["Retention"]
    months = column(sheet, 1, 1, 6)
    assert months == ["Month", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"], "months by name"
    assert sheet["A7"].value is None, "a blank row after the months"
    assert column(sheet, 1, 8, 10) == ["Quarter", "Q4 2025", "Q1 2026"], "calendar quarters"
    assert column(sheet, 1, 12, 14) == ["Year", "2025", "2026"], "calendar years"


def test_crr_chart_shows_month_labels(workbook):
    (line,) = [chart for chart in workbook["Summary"]._charts if chart.tagname == "lineChart"]
    categories = line.series[0].cat
    assert categories.numRef is None, "categories are not numbers"
    assert categories.strRef.f == "Retention!$A$2:$A$6", "the months of the Retention sheet"
    cached = [point.v for point in categories.strRef.strCache.pt]
    assert cached == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"], "labels cached in the chart"


def test_every_chart_holds_the_labels_and_values_of_its_cells(workbook):
    for sheet in (workbook["Summary"], workbook["Lifecycle"]):
        for chart in sheet._charts:
            series = chart.series[0]
            cells = workbook[series.cat.strRef.f.split("!")[0].strip("'")]
            ref = series.cat.strRef.f.split("!")[1].replace("$", "")
            labels = [row[0].value for row in cells[ref]]
            assert [point.v for point in series.cat.strRef.strCache.pt] == labels, f"{chart.tagname}: labels"
            values = series.val.numRef.numCache.pt
            assert len(values) > 0, f"{chart.tagname}: values cached too"


def test_period_names_go_through_the_translation():
    data = workbook_data_from_orders(ORDERS, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    words = {
        "Dec": "Dez",
        "%(month)s %(year)s": "%(month)s. %(year)s",
        "Q%(quarter)s %(year)s": "%(quarter)s. Q. %(year)s",
    }
    data.translate = lambda text: words.get(text, text)
    sheet = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))["Retention"]
    assert sheet["A3"].value == "Dez. 2025", "month names and their order translated"
    assert sheet["A9"].value == "4. Q. 2025", "quarters too"


def test_flags_read_yes_or_no_in_the_users_words():
    data = workbook_data_from_orders(ORDERS, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    data.customers = data.customers.assign(key_account_manager=["Mia", "Mia", "Ned"])
    data.max_key_accounts = 1
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))
    over = {row["Key account manager"]: row["Over the limit"] for row in rows(workbook["Key account managers"])}
    assert over == {"Mia": "No"}, "only Acme is a key account: the limit counts key accounts only"
    data.customers = data.customers.assign(is_key_account=[True, True, False])
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))
    flags = {row["Customer"]: row["Key account"] for row in rows(workbook["Customers"])}
    assert flags == {"Acme": "Yes", "Bolt": "Yes", "Cody": "No"}, "as given"
    over = {row["Key account manager"]: row["Over the limit"] for row in rows(workbook["Key account managers"])}
    assert over == {"Mia": "Yes"}, "Mia holds two key accounts, one allowed"
    words = {"Yes": "Ja", "No": "Nein"}
    data.translate = lambda text: words.get(text, text)
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))
    flags = {row["Customer"]: row["Key account"] for row in rows(workbook["Customers"])}
    assert flags == {"Acme": "Ja", "Bolt": "Ja", "Cody": "Nein"}, "translated"


@pytest.mark.parametrize(("currency", "shown"), [("EUR", "EUR"), ("€", "€"), ("", "no currency given")])
def test_currency_is_shown_with_amounts_or_said_to_be_missing(currency, shown):
    workbook = workbook_of(currency=currency)
    assert workbook["Summary"]["B3"].value == shown, "the summary names the currency, or says there is none"
    headers = [cell.value for cell in workbook["Customers"][1]]
    cell = workbook["Customers"].cell(2, headers.index("Revenue to date") + 1)
    expected = f'#,##0.00 "{currency}"' if currency else "#,##0.00"
    assert cell.number_format == expected, "amounts carry the currency given"


def test_missing_values_of_nullable_columns_are_empty_cells():
    data = workbook_data_from_orders(ORDERS, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    # a caller's frame may hold pandas' nullable types, whose missing value is pd.NA
    data.customers["order_count"] = pd.array([2, pd.NA, 1], dtype="Int64")
    counts = {
        row["Customer"]: row["Orders"]
        for row in rows(openpyxl.load_workbook(io.BytesIO(build_workbook(data)))["Customers"])
    }
    assert counts == {"Acme": 2, "Bolt": None, "Cody": 1}, "pd.NA is an empty cell"


def width(sheet, col):
    """Width of column ``col`` (1-based); openpyxl keeps a run of equal widths under its first column."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.min <= col <= dimension.max:
            return dimension.width
    return None


def test_every_sheet_prints_landscape_one_page_wide_with_its_first_row_on_each_page(workbook):
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", f"{sheet.title}: landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, f"{sheet.title}: fitted to pages"
        assert (sheet.page_setup.fitToWidth or 1) == 1, f"{sheet.title}: one page wide (1 when left out)"
        if sheet.title != "Summary":  # one page, charts whole: test_workbook_printing.py
            assert sheet.page_setup.fitToHeight == 0, f"{sheet.title}: as many pages long as it takes"
        assert sheet.print_title_rows == "$1:$1", f"{sheet.title}: the first row repeated on every page"


def test_sheets_read_left_to_right_unless_asked_for_right_to_left(workbook):
    assert not any(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    data = workbook_data_from_orders(ORDERS, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    rtl = openpyxl.load_workbook(io.BytesIO(build_workbook(dataclasses.replace(data, right_to_left=True))))
    assert [sheet.title for sheet in rtl.worksheets] == [sheet.title for sheet in workbook.worksheets]
    for sheet in rtl.worksheets:
        assert sheet.sheet_view.rightToLeft, f"{sheet.title}: read from the right, as Arabic is"


def test_amounts_fit_their_column():
    big = orders([("Megacorp", "2026-03-01", 123456789.25), ("Acme", "2026-03-02", 5.0)])
    workbook = workbook_of(big, currency="EUR")
    sheet = workbook["Customers"]
    headers = [cell.value for cell in sheet[1]]
    for header in ("Revenue to date", "Revenue in window", "LTV"):
        col = headers.index(header) + 1
        shown = f"{sheet.cell(2, col).value:,.2f} EUR"
        assert width(sheet, col) >= len(shown) + 1, f"{header}: {shown} fits, no ####"
    retention = workbook["Retention"]
    assert width(retention, 10) >= len("123,456,794.25 EUR") + 1, "the month's revenue fits too"


def test_headers_fit_and_break_only_between_words():
    data = workbook_data_from_orders(ORDERS, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    long = {"Orders": "Kundenbestellungen", "Days since last order": "Tage seit der letzten Bestellung"}
    data.translate = lambda text: long.get(text, text)
    sheet = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))["Customers"]
    headers = [cell.value for cell in sheet[1]]
    for col, header in enumerate(headers, start=1):
        longest = max(len(word) for word in header.split())
        assert width(sheet, col) >= longest + 2, f"{header!r}: its longest word fits beside the filter arrow"
    col = headers.index("Tage seit der letzten Bestellung") + 1
    assert width(sheet, col) < len("Tage seit der letzten Bestellung"), "a long header wraps rather than widen"
    assert sheet.row_dimensions[1].height >= 30, "the header row is tall enough for wrapped headers"


def test_chinese_headers_and_names_fit_at_two_digits_a_character():
    """A Chinese character is as wide as two digits: columns fitted on the count would cut them."""
    names = {"Acme": "上海星辰贸易有限公司", "Bolt": "Bolt", "Cody": "Cody"}
    frame = ORDERS.assign(partner_id=ORDERS["partner_id"].map(names))
    data = workbook_data_from_orders(frame, as_of=AS_OF, date_from=FROM, settings=Settings(), company="Test")
    chinese = {"Customer": "客户", "Stage": "生命周期阶段", "At risk": "有流失风险", "Yes": "是", "No": "否"}
    data.translate = lambda text: chinese.get(text, text)
    data.stage_labels = {**data.stage_labels, "at_risk": "有流失风险"}
    sheet = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))["Customers"]
    headers = [cell.value for cell in sheet[1]]
    customer = headers.index("客户") + 1
    assert width(sheet, customer) >= 2 * len("上海星辰贸易有限公司"), "the Chinese name fits"
    stage = headers.index("生命周期阶段") + 1
    assert width(sheet, stage) >= 2 * len("生命周期阶段"), "the Chinese header fits on its line"


def test_colour_scales_paint_the_biggest_revenue_green(workbook):
    rules = {
        str(scope.sqref): rule
        for scope in workbook["ABC-XYZ"].conditional_formatting
        for rule in scope.rules
        if rule.type == "colorScale"
    }
    assert sorted(rules) == ["B11:D13", "B3:D5"], "the customers and the revenue matrices"
    scale = rules["B11:D13"].colorScale  # the count matrix's scale: test_workbook_printing.py
    assert [point.type for point in scale.cfvo] == ["min", "percentile", "max"], "revenue: low to high"
    assert scale.color[0].rgb.endswith("F8696B"), "the least revenue red"
    assert scale.color[-1].rgb.endswith("63BE7B"), "the most revenue green"


def test_rates_without_customers_at_the_start_are_empty_cells():
    workbook = workbook_of(orders([("Dora", "2025-11-05", 80.0), ("Dora", "2026-01-07", 90.0)]))
    sheet = workbook["Retention"]
    starts = {sheet.cell(row, 1).value: row for row in range(1, sheet.max_row + 1)}
    months, quarters, years = (rows(sheet, starts[header]) for header in ("Month", "Quarter", "Year"))
    for first, name in ((months[0], "Nov 2025"), (quarters[0], "Q4 2025"), (years[0], "2025")):
        label = first.get("Month") or first.get("Quarter") or first.get("Year")
        assert (label, first["Active at start (S)"]) == (name, 0), f"{name}: nobody was a customer before"
        assert (first["CRR"], first["Strict retention"]) == (None, None), f"{name}: no rate over S = 0, not 0"
        assert first["Revenue"] == 80.0, f"{name}: the other figures are there"
    assert months[1]["CRR"] == 1.0, "December keeps Dora: 100 %"
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=7, max_row=20, values_only=True)}
    assert summary["Active at period start (S)"] == 0, "no customer at the period's start"
    assert summary["CRR = (E - N) / S"] is None, "so no CRR on the summary either"
