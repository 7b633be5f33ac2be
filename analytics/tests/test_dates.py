import datetime

import pytest

from analytics.dates import from_day, month_bucket, months_back, to_day


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-06-30", 12, "2023-06-30"),
        ("2024-03-31", 1, "2024-02-29"),  # leap year: clipped to the 29th
        ("2023-03-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2023-02-28"),
        ("2024-01-15", 1, "2023-12-15"),
    ],
)
def test_months_back_clips_to_month_end(start, months, expected):
    assert from_day(months_back(to_day(start), months)) == datetime.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("day", "bucket"),
    [
        ("2024-06-30", 0),  # the as-of day itself
        ("2024-05-31", 0),  # the day after one month back
        ("2024-05-30", 1),  # exactly one month back starts month 1
        ("2024-04-30", 2),
        ("2023-07-01", 11),
        ("2023-06-30", 12),  # twelve months back: outside a 12-month window
    ],
)
def test_month_bucket_counts_back_from_as_of(day, bucket):
    assert month_bucket([to_day(day)], to_day("2024-06-30"))[0] == bucket


def test_month_bucket_clips_as_of_day_in_short_months():
    # as of the 31st, February's boundary is its last day
    as_of = to_day("2024-03-31")
    assert list(month_bucket([to_day("2024-02-29"), to_day("2024-03-01"), to_day("2024-02-28")], as_of)) == [1, 0, 1]
