"""The Contact coverage sheet: there when customers carry a service rule, left out otherwise."""

import dataclasses
import datetime
import io

import openpyxl
import pandas as pd
from conftest import sheet_table as rows

from analytics.cli.report import workbook_data_from_orders
from analytics.settings import Settings
from analytics.workbook import build_workbook

AS_OF = datetime.date(2026, 3, 31)
ORDERS = pd.DataFrame(
    {
        "partner_id": ["Acme", "Bolt", "Cody"],
        "date": pd.to_datetime(["2026-01-10", "2026-02-03", "2026-03-15"]),
        "revenue": [100.0, 200.0, 300.0],
    }
).assign(margin=lambda frame: frame["revenue"] / 4, user_id=None)


def data():
    return workbook_data_from_orders(
        ORDERS, as_of=AS_OF, date_from=datetime.date(2026, 1, 1), settings=Settings(), company="Test"
    )


def test_csv_without_contacts_has_no_coverage_sheet():
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(data())))
    assert "Contact coverage" not in book.sheetnames, "no contact data, no sheet"


def test_coverage_sheet_counts_by_rule_and_lists_the_overdue():
    base = data()
    customers = base.customers.copy()
    customers["salesperson"] = ["Ann", "Ann", "Ben"]
    customers["contact_rule"] = ["Class A", "Class A", "Class C"]
    customers["last_contact_date"] = pd.to_datetime(["2026-03-01", None, "2026-01-01"])
    customers["next_contact_date"] = pd.to_datetime(["2026-03-31", "2026-03-31", "2026-03-01"])
    customers["contact_days_overdue"] = [0, 0, 30]
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(dataclasses.replace(base, customers=customers))))
    sheet = book["Contact coverage"]
    by_rule = rows(sheet)
    assert by_rule[0] == {"Service rule": "Class A", "Customers": 2, "On time": 1, "Overdue": 0,
                          "Never contacted": 1, "Share on time": 0.5}, by_rule  # fmt: skip
    assert by_rule[1]["Overdue"] == 1 and by_rule[1]["Share on time"] == 0, "Class C: one customer, late"
    by_user = rows(sheet, len(by_rule) + 3)
    assert [row["Salesperson"] for row in by_user] == ["Ann", "Ben"], "one row per salesperson"
    late = rows(sheet, len(by_rule) + len(by_user) + 5)
    assert [(row["Customer"], row["Days overdue"]) for row in late] == [("Cody", 30)], "the overdue customer"


def test_customers_without_salesperson_are_counted_under_none(recwarn):
    base = data()
    customers = base.customers.copy()
    customers["salesperson"] = float("nan")
    customers["contact_rule"] = "Everybody"
    customers["last_contact_date"] = pd.to_datetime("2026-03-01")
    customers["next_contact_date"] = pd.to_datetime("2026-03-31")
    customers["contact_days_overdue"] = 0
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(dataclasses.replace(base, customers=customers))))
    by_rule = rows(book["Contact coverage"])
    by_user = rows(book["Contact coverage"], len(by_rule) + 3)
    assert [(row["Salesperson"], row["Customers"]) for row in by_user] == [("(none)", 3)], "no salesperson"
    assert not [warning for warning in recwarn if "fill value" in str(warning.message)], "no pandas warning"
