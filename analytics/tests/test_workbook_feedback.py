"""The Feedback sheet: the answers, and per salesperson answers, satisfaction, NPS and complaints."""

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
ORDERS = pd.DataFrame(
    {
        "partner_id": ["Acme", "Bolt"],
        "date": pd.to_datetime(["2026-01-10", "2026-02-10"]),
        "revenue": [100.0, 200.0],
        "margin": [25.0, 50.0],
        "user_id": None,
    }
)
FEEDBACK = pd.DataFrame(
    {
        "date": pd.to_datetime(["2026-03-01", "2026-03-20", "2026-03-25"]),
        "customer": ["Acme", "Bolt", "=Formula Ltd"],
        "salesperson": ["Ann", "Ann", None],
        "satisfaction": [4.5, 2.0, None],
        "recommendation": [10, 3, None],
        "share_of_wallet": [85.0, None, None],
        "complaint": [False, True, False],
        "buy_more": ["Faster delivery", None, None],
    }
)


def workbook_of(feedback):
    data = workbook_data_from_orders(
        ORDERS, as_of=AS_OF, date_from=datetime.date(2026, 1, 1), settings=Settings(), company="Test"
    )
    data = dataclasses.replace(data, feedback=feedback)
    return openpyxl.load_workbook(io.BytesIO(build_workbook(data)))


def test_no_feedback_no_sheet():
    assert "Feedback" not in workbook_of(None).sheetnames, "the command line gives no feedback"


def test_answers_newest_first_with_their_words():
    answers = rows(workbook_of(FEEDBACK)["Feedback"])
    assert [row["Customer"] for row in answers] == ["=Formula Ltd", "Bolt", "Acme"], "newest first, text as text"
    acme = answers[2]
    assert acme["Share with us"] == pytest.approx(0.85), "a percentage cell"
    assert acme["What would make them buy more"] == "Faster delivery", "the customer's words"
    assert answers[1]["Complaint"] == "Yes", "flags in words"


def test_salesperson_summary_gives_nps():
    sheet = workbook_of(FEEDBACK)["Feedback"]
    summary = rows(sheet, first_row=len(FEEDBACK) + 3)
    ann = next(row for row in summary if row["Salesperson"] == "Ann")
    assert ann["Answers"] == 2, "two answers"
    assert ann["NPS"] == pytest.approx(0.0), "one promoter, one detractor"
    assert ann["Satisfaction (1-5)"] == pytest.approx(3.25), "mean of 4.5 and 2"
    assert ann["Complaints"] == 1, "one complaint"
    nobody = next(row for row in summary if row["Salesperson"] == "(none)")
    assert nobody["NPS"] is None, "no recommendation answered: no NPS"
