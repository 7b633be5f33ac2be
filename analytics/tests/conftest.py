import datetime

import pandas as pd
import pytest

AS_OF = datetime.date(2024, 6, 30)


def make_orders(rows):
    """Orders frame from (partner, date, revenue[, margin[, team, user]]) tuples."""
    records = []
    for row in rows:
        partner, date, revenue, *rest = row
        margin = rest[0] if rest else revenue * 0.25
        team = rest[1] if len(rest) > 1 else None
        user = rest[2] if len(rest) > 2 else None
        records.append(
            {
                "partner_id": partner,
                "date": date,
                "revenue": revenue,
                "margin": margin,
                "team_id": team,
                "user_id": user,
            }
        )
    return pd.DataFrame(records, columns=["partner_id", "date", "revenue", "margin", "team_id", "user_id"])


@pytest.fixture
def as_of():
    return AS_OF


def sheet_table(sheet, first_row=1):
    """Rows of the table whose header is at ``first_row``, as dicts by header, up to the first blank row."""
    values = sheet.iter_rows(min_row=first_row, values_only=True)
    headers = next(values)
    result = []
    for row in values:
        if all(value is None for value in row):
            break
        result.append(dict(zip(headers, row, strict=True)))
    return result
