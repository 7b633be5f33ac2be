"""Calendar arithmetic on day numbers.

Dates travel through the engine as ``int64`` day numbers (days since
1970-01-01), which keeps a million orders cheap to sort and subtract.

- ``DAYS_PER_MONTH`` = 365.25 / 12: the average month used to turn day spans
  into months (months since first order, lifetime spans).
- Calendar months count back from the as-of date: month ``k`` holds the days
  after ``as_of - (k + 1) months`` up to ``as_of - k months``, a month back
  from the 31st landing on the last day of a shorter month. The analysis
  window of ``W`` months is months ``0 .. W-1``.
"""

import datetime

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12
EPOCH = datetime.date(1970, 1, 1)


def to_day(value):
    """Day number of a ``date`` (or ISO string)."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return (value - EPOCH).days


def from_day(day):
    """``date`` of a day number."""
    return EPOCH + datetime.timedelta(days=int(day))


def days_column(values):
    """Day numbers (int64 array) of a column of dates, datetimes or ISO strings."""
    stamps = pd.to_datetime(pd.Series(values), errors="raise")
    return stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def months_back(day, months):
    """Day number of ``day`` minus ``months`` calendar months (day clipped to month end)."""
    date = from_day(day)
    month_index = date.year * 12 + date.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last = _days_in_month(year, month)
    return to_day(datetime.date(year, month, min(date.day, last)))


def _days_in_month(year, month):
    if month == 12:
        return 31
    return (datetime.date(year, month + 1, 1) - datetime.date(year, month, 1)).days


def month_bucket(days, as_of_day):
    """Calendar month, counted back from ``as_of_day``, of each day (array in, array out).

    Month 0 is the month up to the as-of date. Days after the as-of date get
    negative buckets; callers drop them beforehand.
    """
    days = np.asarray(days, dtype=np.int64)
    as_of = from_day(as_of_day)
    dates = days.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    month_of = month_start.astype(np.int64)  # months since 1970-01
    day_of_month = (dates - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    month_length = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(np.int64)
    as_of_month = (as_of.year - 1970) * 12 + as_of.month - 1
    months_diff = as_of_month - month_of
    # the bucket boundary inside the day's own month is as_of's day, clipped
    boundary = np.minimum(as_of.day, month_length)
    return months_diff - (day_of_month > boundary).astype(np.int64)
