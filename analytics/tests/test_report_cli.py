import datetime
import pathlib

import openpyxl
import pytest

from analytics.__main__ import main

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "sample" / "transactions.csv"


def write_csv(tmp_path, text):
    path = tmp_path / "transactions.csv"
    path.write_text(text)
    return path


def test_sample_csv_gives_typed_workbook(tmp_path):
    output = tmp_path / "report.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["Summary", "Customers"], "summary and customers sheets"
    sheet = workbook["Customers"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Customer", "Stage", "Segment"], "headers first"
    assert sheet.freeze_panes == "B2", "header row and name column frozen"
    first = {header: cell for header, cell in zip(headers, sheet[2], strict=True)}
    assert first["Customer"].value == "Northwind Wholesale", "sorted by revenue, biggest first"
    assert isinstance(first["Last order"].value, datetime.datetime), "dates are dates"
    assert first["Share of revenue"].number_format == "0.0%", "shares are percentages"
    total = sum(row[headers.index("Revenue in window")].value or 0 for row in sheet.iter_rows(min_row=2))
    summary_total = workbook["Summary"]["B5"].value
    assert total == pytest.approx(summary_total), "customer rows add up to the summary's window revenue"


def test_formula_like_names_are_written_as_text(tmp_path):
    path = write_csv(
        tmp_path, 'customer,date,amount,margin\n"=HYPERLINK(""http://x"")",2026-10-01,10,2\n+1,2026-10-02,5,1\n'
    )
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    names = {row[0].value: row[0].data_type for row in openpyxl.load_workbook(output)["Customers"].iter_rows(min_row=2)}
    assert names == {'=HYPERLINK("http://x")': "s", "+1": "s"}, "written as strings, never as formulas"


def test_default_margin_ratio_is_used_and_stated(tmp_path):
    path = write_csv(tmp_path, "customer,date,amount\nAcme,2026-10-01,100\n")
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--margin", "0.3", "--as-of", "2026-10-31"]) == 0, "ok"
    workbook = openpyxl.load_workbook(output)
    assert "30%" in workbook["Summary"]["B3"].value, "the workbook says which margin was used"
    headers = [cell.value for cell in workbook["Customers"][1]]
    assert workbook["Customers"][2][headers.index("Margin to date")].value == pytest.approx(30.0), "30 % of 100"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("customer,date\nAcme,2026-10-01\n", "line 1: missing column(s) amount"),
        ("customer,date,amount,margin\nAcme,2026-10-01,10,1\nAcme,01/10/2026,10,1\n", "line 3, column date"),
        ("customer,date,amount,margin\nAcme,2026-10-01,ten,1\n", "line 2, column amount"),
        ("customer,date,amount\nAcme,2026-10-01,10\n", "--margin"),
        ("customer,date,amount,margin\n", "no transaction"),
    ],
)
def test_bad_csv_gets_one_clear_message_and_no_file(tmp_path, capsys, text, message):
    path = write_csv(tmp_path, text)
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output)]) == 2, "the command fails"
    assert message in capsys.readouterr().err, f"the message says {message!r}"
    assert not output.exists(), "no partial workbook is left"
