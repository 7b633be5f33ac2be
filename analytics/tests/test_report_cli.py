import datetime
import io
import pathlib

import openpyxl
import pytest
from conftest import sheet_table as table

from analytics.__main__ import main
from analytics.cli.report import workbook_data_from_orders
from analytics.cli.transactions import read_transactions
from analytics.settings import Settings
from analytics.workbook import build_workbook

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "sample" / "transactions.csv"


def write_csv(tmp_path, text):
    path = tmp_path / "transactions.csv"
    path.write_text(text)
    return path


SHEETS = [
    "Summary",
    "Customers",
    "ABC-XYZ",
    "Lifecycle",
    "Retention",
    "Salespeople",
    "Key accounts",
    "Key account managers",
    "Lost and at risk",
]


def kpis(workbook):
    """Summary indicators by label."""
    values = {}
    for label, value, *_rest in workbook["Summary"].iter_rows(min_row=7, values_only=True):
        if label is None:
            break
        values[label] = value
    return values


@pytest.fixture(scope="module")
def sample_workbook(tmp_path_factory):
    output = tmp_path_factory.mktemp("report") / "report.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    return openpyxl.load_workbook(output)


def test_sample_csv_gives_every_sheet(sample_workbook):
    assert sample_workbook.sheetnames == SHEETS, "all sheets, summary first"
    assert len(sample_workbook["Summary"]._charts) == 3, "ABC pie, stage bars and CRR line on the summary"
    assert len(sample_workbook["Lifecycle"]._charts) == 1, "the funnel chart"


def test_customer_sheet_is_typed_frozen_and_filtered(sample_workbook):
    sheet = sample_workbook["Customers"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Customer", "Salesperson", "Stage"], "headers first"
    assert sheet.freeze_panes == "B2", "header row and name column frozen"
    assert sheet.auto_filter.ref.startswith("A1:"), "autofilter on the header"
    first = {header: cell for header, cell in zip(headers, sheet[2], strict=True)}
    assert first["Customer"].value == "Northwind Wholesale", "sorted by revenue, biggest first"
    assert isinstance(first["Last order"].value, datetime.datetime), "dates are dates"
    assert first["Share of revenue"].number_format == "0.0%", "shares are percentages"
    assert first["Revenue to date"].number_format.startswith("#,##0.00"), "money is money"
    assert first["Key account"].value == "Yes", "flags read Yes or No"
    assert first["Stage"].value == "Regular Customer", "stages in the user's words"


def test_totals_agree_across_sheets(sample_workbook):
    customers = table(sample_workbook["Customers"])
    window_revenue = sum(row["Revenue in window"] or 0 for row in customers)
    matrix = sample_workbook["ABC-XYZ"]
    assert matrix["E14"].value == pytest.approx(window_revenue), "the matrix's revenue total is the customers' total"
    counted = sum(1 for row in customers if row["ABC"] and row["XYZ"])
    assert matrix["E6"].value == counted, "the matrix counts every customer with both classes"
    indicators = kpis(sample_workbook)
    assert indicators["Customers"] == len(customers), "one row per customer"
    retention = table(sample_workbook["Retention"])
    assert sum(row["Revenue"] for row in retention) == pytest.approx(indicators["Revenue in period"]), "months add up"
    assert retention[0]["Active at start (S)"] == indicators["Active at period start (S)"], "S of the first month"
    assert retention[-1]["Active at end (E)"] == indicators["Active at period end (E)"], "E of the last month"
    people = table(sample_workbook["Salespeople"])
    assert sum(row["Customers"] for row in people) == len(customers), "portfolios cover every customer"
    stages = sum(row["Customers"] for row in table(sample_workbook["Lifecycle"]))
    assert stages == len(customers), "the funnel holds every customer"


def test_summary_crr_follows_its_formula(sample_workbook):
    indicators = kpis(sample_workbook)
    start, end, new = (
        indicators[key] for key in ("Active at period start (S)", "Active at period end (E)", "New customers (N)")
    )
    assert indicators["CRR = (E - N) / S"] == pytest.approx((end - new) / start), "CRR as a fraction shown in %"
    kept = indicators["Kept (never lost in the period)"]
    assert indicators["Strict retention = kept / S"] == pytest.approx(kept / start), "strict retention"
    assert sample_workbook["Summary"]["B14"].number_format == "0.0%", "rates are percentages"


def test_lost_and_at_risk_sheet_lists_only_slipping_customers(sample_workbook):
    rows = table(sample_workbook["Lost and at risk"])
    assert rows, "the sample has lost customers"
    assert {row["Stage"] for row in rows} <= {"Lost Customer", "At Risk"}, "only lost and at-risk customers"
    lost_now = kpis(sample_workbook)["Lost customers now"]
    assert sum(row["Stage"] == "Lost Customer" for row in rows) == lost_now, "as many as the summary says"


def test_formula_like_names_are_written_as_text(tmp_path):
    # both customers bought once, long ago: lost, so listed on the lost sheet too
    path = write_csv(
        tmp_path, 'customer,date,amount,margin\n"=HYPERLINK(""http://x"")",2024-10-01,10,2\n+1,2024-10-02,5,1\n'
    )
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    workbook = openpyxl.load_workbook(output)
    for name in ("Customers", "Lost and at risk"):
        names = {row[0].value: row[0].data_type for row in workbook[name].iter_rows(min_row=2) if row[0].value}
        assert names == {'=HYPERLINK("http://x")': "s", "+1": "s"}, f"{name}: strings, never formulas"


def test_default_margin_ratio_is_used_and_stated(tmp_path):
    path = write_csv(tmp_path, "customer,date,amount\nAcme,2026-10-01,100\n")
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--margin", "0.3", "--as-of", "2026-10-31"]) == 0, "ok"
    workbook = openpyxl.load_workbook(output)
    assert "30%" in workbook["Summary"]["B4"].value, "the workbook says which margin was used"
    headers = [cell.value for cell in workbook["Customers"][1]]
    assert workbook["Customers"][2][headers.index("Margin to date")].value == pytest.approx(30.0), "30 % of 100"


def test_file_without_margins_gives_a_workbook_with_margin_figures_empty(tmp_path):
    # a bank statement: amounts, no margins
    path = write_csv(tmp_path, "customer,date,amount\nAcme,2026-09-01,100\nAcme,2026-10-01,50\nBolt,2024-01-10,80\n")
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "a workbook all the same"
    workbook = openpyxl.load_workbook(output)
    assert workbook["Summary"]["B4"].value.startswith(
        "no margin in the file: margin, margin rate (P) and LTV are left"
    ), "the summary says why they are empty"
    customers = table(workbook["Customers"])
    assert [row["Revenue to date"] for row in customers] == [150.0, 80.0], "revenue is there"
    for column in ("Margin to date", "Margin rate (P)", "LTV"):
        assert [row[column] for row in customers] == [None, None], f"{column}: empty cells, not 0"
    assert [row["LTV"] for row in table(workbook["Salespeople"])] == [None], "no LTV summed up either"
    assert [row["LTV"] for row in table(workbook["Lost and at risk"])] == [None], "nor on the lost customers' sheet"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("customer,date\nAcme,2026-10-01\n", "line 1: missing column(s) amount"),
        ("customer,date,amount,margin\nAcme,2026-10-01,10,1\nAcme,01/10/2026,10,1\n", "line 3, column date"),
        ("customer,date,amount,margin\nAcme,2026-10-01,ten,1\n", "line 2, column amount"),
        ("customer,date,amount,margin\n", "no transaction"),
    ],
)
def test_bad_csv_gets_one_clear_message_and_no_file(tmp_path, capsys, text, message):
    path = write_csv(tmp_path, text)
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output)]) == 2, "the command fails"
    assert message in capsys.readouterr().err, f"the message says {message!r}"
    assert not output.exists(), "no partial workbook is left"


def test_workbook_texts_go_through_the_translation(tmp_path):
    orders, _has_margin = read_transactions(SAMPLE)
    data = workbook_data_from_orders(
        orders, as_of=datetime.date(2026, 10, 31), date_from=datetime.date(2026, 1, 1), settings=Settings(), company="X"
    )
    data.translate = lambda text: f"{text}/übersetzt: {text}"
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook(data)))
    assert all("/" not in name and len(name) <= 31 for name in workbook.sheetnames), "still valid sheet names"
    assert workbook.sheetnames[0] == "Summary übersetzt  Summary", "sheet names translated, / and : replaced"
    assert workbook.worksheets[1]["A1"].value == "Customer/übersetzt: Customer", "headers translated"
    assert workbook.worksheets[1]["C2"].value == "Regular Customer", "stage labels come from the caller, as given"
    assert len(workbook.worksheets[0]._charts) == 3, "charts still find their translated sheets"


def test_customers_sheet_says_which_ltv_is_shown(sample_workbook):
    rows = table(sample_workbook["Customers"])
    bases = {row["LTV basis"] for row in rows}
    assert bases <= {"Projected (S x C x P x T)", "Too early to project: margin so far", "Lost: value realised"}, bases
    assert "Projected (S x C x P x T)" in bases, "established customers get the projection"
    lost = [row for row in rows if row["Stage"] == "Lost Customer"]
    assert lost and all(row["LTV basis"] == "Lost: value realised" for row in lost), "lost customers show their margin"
    assert all(row["LTV"] == pytest.approx(row["Margin to date"]) for row in lost), "LTV of the lost = margin to date"
