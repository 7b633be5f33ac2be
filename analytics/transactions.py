"""Read a CSV file of transactions into the engine's orders frame.

Columns: ``customer``, ``date`` (ISO ``YYYY-MM-DD``), ``amount`` and,
optionally, ``margin`` (margin amount of the transaction) and
``salesperson``. Without ``margin``, a default margin ratio applies.
"""

import datetime

import pandas as pd

REQUIRED = ("customer", "date", "amount")


class TransactionsError(ValueError):
    """A CSV file that cannot be read as transactions; the message names the line and column."""


def read_transactions(path, margin_ratio=None):
    """Return (orders frame, whether margins came from the file)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise TransactionsError(f"{path}: the file is empty") from None
    except FileNotFoundError:
        raise TransactionsError(f"{path}: no such file") from None
    raw.columns = [str(column).strip().lower() for column in raw.columns]
    missing = [column for column in REQUIRED if column not in raw.columns]
    if missing:
        raise TransactionsError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
    if raw.empty:
        raise TransactionsError(f"{path}: no transaction after the header line")
    has_margin = "margin" in raw.columns
    if not has_margin and margin_ratio is None:
        raise TransactionsError(f"{path}: no margin column; give a default margin ratio (--margin 0.3)")
    for index, row in raw.iterrows():
        line = index + 2  # header is line 1
        if not row["customer"].strip():
            raise TransactionsError(f"{path}, line {line}, column customer: empty customer")
        try:
            datetime.date.fromisoformat(row["date"].strip())
        except ValueError:
            raise TransactionsError(
                f"{path}, line {line}, column date: {row['date']!r} is not a YYYY-MM-DD date"
            ) from None
        for column in ("amount", "margin") if has_margin else ("amount",):
            try:
                float(row[column])
            except ValueError:
                raise TransactionsError(
                    f"{path}, line {line}, column {column}: {row[column]!r} is not a number"
                ) from None
    amount = raw["amount"].astype(float)
    orders = pd.DataFrame(
        {
            "partner_id": raw["customer"].str.strip(),
            "date": pd.to_datetime(raw["date"].str.strip()),
            "revenue": amount,
            "margin": raw["margin"].astype(float) if has_margin else amount * float(margin_ratio),
            "user_id": raw["salesperson"].str.strip().replace("", None) if "salesperson" in raw.columns else None,
        }
    )
    return orders, has_margin
