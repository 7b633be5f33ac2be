import pathlib

import openpyxl
import pytest
from conftest import sheet_table as table

from analytics.__main__ import main

CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"


@pytest.fixture(scope="module")
def forecast_workbook(tmp_path_factory):
    output = tmp_path_factory.mktemp("forecast") / "cdnow.xlsx"
    argv = ["report", str(CDNOW), "-o", str(output), "--as-of", "1998-06-30", "--calibration-end", "1997-09-30"]
    assert main([*argv, "--margin", "0.2"]) == 0, "the command succeeds"
    return openpyxl.load_workbook(output)


def test_forecast_sheet_holds_the_holdout_check(forecast_workbook):
    assert forecast_workbook.sheetnames[-1] == "Forecast", "the Forecast sheet comes last"
    sheet = forecast_workbook["Forecast"]
    assert sheet["A1"].value == "Forecast check", "a title"
    assert sheet["A3"].value.startswith("BG/NBD: r = 0.2426"), "the fitted parameters, the paper's r"
    rows = {row["Repeat purchases in calibration"]: row for row in table(sheet, first_row=7)}
    assert list(rows) == ["0", "1", "2", "3", "4", "5", "6", "7+", "total"], "the paper's rows and the total"
    assert rows["total"]["Actual purchases in holdout"] == 1882, "actual repeat purchase days in the holdout"
    assert rows["0"]["Customers"] == 1411, "the paper's one-time buyers (the purchases of 0.00 are orders)"
    assert rows["total"]["Predicted, BG/NBD"] == pytest.approx(1653, abs=5), "predicted repeat purchases"


def test_customer_sheet_has_the_prediction_and_rfm(forecast_workbook):
    customers = table(forecast_workbook["Customers"])
    first = customers[0]
    for header in ("Probability still active", "Predicted revenue, 12 months", "Predicted CLV (model)", "RFM score"):
        assert header in first, f"column {header}"
    segments = {row["RFM segment"] for row in customers}
    assert "Champions" in segments and "Lost" in segments, "segments in words"
    assert all(0 <= row["Probability still active"] <= 1 for row in customers), "probabilities"
    margins = [row for row in customers if row["Predicted revenue, 12 months"]]
    row = margins[0]
    assert row["Predicted margin, 12 months"] == pytest.approx(0.2 * row["Predicted revenue, 12 months"]), "20 %"


def test_no_forecast_sheet_without_calibration_date(tmp_path):
    output = tmp_path / "cdnow.xlsx"
    assert main(["report", str(CDNOW), "-o", str(output), "--as-of", "1998-06-30"]) == 0
    workbook = openpyxl.load_workbook(output)
    assert "Forecast" not in workbook.sheetnames, "no calibration date, no check"
    customers = table(workbook["Customers"])
    assert customers[0]["Predicted CLV (model)"] is None, "no margins in the file: no CLV either"


def test_calibration_date_after_the_period_is_refused(tmp_path, capsys):
    output = tmp_path / "cdnow.xlsx"
    argv = ["report", str(CDNOW), "-o", str(output), "--as-of", "1998-06-30", "--calibration-end", "1998-07-01"]
    assert main(argv) == 2, "exit code 2"
    assert capsys.readouterr().err.startswith("error: --calibration-end 1998-07-01"), "one error line"
    assert not output.exists(), "no workbook written"
