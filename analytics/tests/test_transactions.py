"""Reading transactions: refunds are not orders, amounts of 0 are."""

import datetime

import openpyxl
import pytest

from analytics.__main__ import main
from analytics.cli.transactions import TransactionsError, read_transactions

AS_OF = datetime.date(2026, 10, 31)


def orders_of(tmp_path, rows, header="customer,date,amount,margin"):
    """(customer, day, revenue, margin) of each order read from ``rows``, in file order."""
    path = tmp_path / "transactions.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    orders, _has_margin = read_transactions(path, as_of=AS_OF)
    return [
        (row.partner_id, row.date.date().isoformat(), row.revenue, row.margin) for row in orders.itertuples(index=False)
    ]


def test_refund_on_the_day_of_an_order_lowers_that_order(tmp_path):
    orders = orders_of(tmp_path, ["Acme,2026-10-01,100,30", "Acme,2026-10-01,-40,-12"])
    assert orders == [("Acme", "2026-10-01", 60.0, 18.0)], "one order of 60, margin 18"


def test_later_refund_lowers_the_latest_order_before_it(tmp_path):
    orders = orders_of(
        tmp_path,
        ["Acme,2026-01-10,100,30", "Acme,2026-03-01,50,10", "Acme,2026-05-20,-20,-5", "Acme,2026-06-01,70,20"],
    )
    assert orders == [
        ("Acme", "2026-01-10", 100.0, 30.0),
        ("Acme", "2026-03-01", 30.0, 5.0),
        ("Acme", "2026-06-01", 70.0, 20.0),
    ], "the refund of May goes to the order of March, the one before it"


def test_refund_goes_to_the_last_order_of_its_day_in_file_order(tmp_path):
    orders = orders_of(tmp_path, ["Acme,2026-10-01,-5,-1", "Acme,2026-10-01,100,30", "Acme,2026-10-01,50,10"])
    assert orders == [("Acme", "2026-10-01", 100.0, 30.0), ("Acme", "2026-10-01", 45.0, 9.0)], "the last one"


def test_refund_of_another_customer_is_not_taken_off(tmp_path):
    orders = orders_of(tmp_path, ["Acme,2026-10-01,100,30", "Bolt,2026-10-01,10,1", "Bolt,2026-10-02,-10,-1"])
    assert orders == [("Acme", "2026-10-01", 100.0, 30.0), ("Bolt", "2026-10-01", 0.0, 0.0)], "Bolt's own order"


def test_zero_amount_is_an_order_as_odoo_counts_a_confirmed_order_of_0(tmp_path):
    orders = orders_of(tmp_path, ["Acme,2026-09-01,100,30", "Acme,2026-10-01,0,-4", "Bolt,2026-10-01,0,0"])
    assert orders == [
        ("Acme", "2026-09-01", 100.0, 30.0),
        ("Acme", "2026-10-01", 0.0, -4.0),
        ("Bolt", "2026-10-01", 0.0, 0.0),
    ], "each row of 0 is an order of its own, its margin with it; nothing is added to the order before"


def test_refund_after_the_as_of_date_is_left_out(tmp_path):
    orders = orders_of(tmp_path, ["Acme,2026-10-01,100,30", "Acme,2026-11-02,-100,-30"])
    assert orders == [("Acme", "2026-10-01", 100.0, 30.0)], "a later refund does not change the past"


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (["Acme,2026-10-01,-20,-5", "Acme,2026-10-02,100,30"], "line 2, column amount: a refund (-20) of Acme"),
        (["Bolt,2026-10-01,0,0", "Acme,2026-10-01,-5,-1"], "line 3, column amount: a refund (-5) of Acme"),
    ],
)
def test_refund_before_any_order_of_its_customer_is_refused(tmp_path, rows, says):
    with pytest.raises(TransactionsError, match="before any order of theirs in the file") as refused:
        orders_of(tmp_path, rows)
    assert says in str(refused.value), f"the message names the row: {refused.value}"


def test_refunds_are_not_orders_in_the_workbook(tmp_path):
    path = tmp_path / "transactions.csv"
    path.write_text(
        "customer,date,amount,margin\n"
        "Acme,2025-06-01,100,30\nAcme,2026-08-01,200,60\nAcme,2026-09-15,-50,-15\nAcme,2026-10-01,0,0\n"
    )
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31"]) == 0, "the command succeeds"
    sheet = openpyxl.load_workbook(output)["Customers"]
    headers = [cell.value for cell in sheet[1]]
    acme = dict(zip(headers, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert acme["Orders"] == 3, "three orders; the refund is no order, the order of 0 is one"
    assert acme["Revenue to date"] == pytest.approx(250.0), "100 + 200 - 50 + 0"
    assert acme["Margin to date"] == pytest.approx(75.0), "30 + 60 - 15 + 0"
    assert acme["Last order"] == datetime.datetime(2026, 10, 1), "the order of 0 is the last purchase, not the refund"
