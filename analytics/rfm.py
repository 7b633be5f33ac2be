"""RFM scores and segments, for users coming from RFM tools.

Per company, over the customers with at least one order up to the as-of date:

- **R** recency: days since the customer's last order (fewer is better);
- **F** frequency: orders in the analysis window (more is better);
- **M** monetary: revenue in the analysis window (more is better).

Each is scored 1 to 5 by quintile, ties sharing a score:
``score = 1 + floor(5 x share of the company's customers whose value is
strictly worse)``, so the best customers get 5 and equal values equal scores.
``rfm_score`` writes the three digits, e.g. ``"545"``.

The segment comes from R and FM = floor((F + M + 1) / 2) (the mean of F and
M rounded half up), first matching rule:

=====================  =========  =========
segment                R          FM
=====================  =========  =========
champions              5          4-5
loyal                  3-4        4-5
potential loyalists    4-5        2-3
new                    4-5        1
need attention         3          3
about to sleep         3          1-2
cannot lose them       1-2        5
at risk                1-2        3-4
hibernating            2          1-2
lost                   1          1-2
=====================  =========  =========
"""

import numpy as np
import pandas as pd

from .vocabulary import RFM_SEGMENT_LABELS as SEGMENT_LABELS

SEGMENTS = tuple(SEGMENT_LABELS)
SCORES = 5  # quintiles
RFM_COLUMNS = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "rfm_segment")


def quintile_scores(values, higher_is_better=True):
    """Scores 1..5 of ``values``: 1 + floor(5 x share of values strictly worse)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if not n:
        return np.empty(0, dtype=np.int64)
    ordered = np.sort(values)
    if higher_is_better:
        worse = np.searchsorted(ordered, values, side="left")  # strictly lower
    else:
        worse = n - np.searchsorted(ordered, values, side="right")  # strictly higher
    return np.minimum(1 + (SCORES * worse) // n, SCORES).astype(np.int64)


def rfm_segment(recency, fm):
    """Segment of each (R, FM) pair of scores (arrays in, object array out)."""
    r = np.asarray(recency)
    fm = np.asarray(fm)
    return np.select(
        [
            (r == 5) & (fm >= 4),
            (r >= 3) & (r <= 4) & (fm >= 4),
            (r >= 4) & (fm >= 2) & (fm <= 3),
            (r >= 4) & (fm == 1),
            (r == 3) & (fm == 3),
            (r == 3) & (fm <= 2),
            (r <= 2) & (fm == 5),
            (r <= 2) & (fm >= 3),
            (r == 2) & (fm <= 2),
        ],
        SEGMENTS[:-1],
        default="lost",
    ).astype(object)


def rfm_scores(days_since_last_order, orders_window, revenue_window):
    """RFM columns (RFM_COLUMNS) from three aligned Series of the company's customers."""
    index = days_since_last_order.index
    r = quintile_scores(days_since_last_order, higher_is_better=False)
    f = quintile_scores(orders_window)
    m = quintile_scores(revenue_window)
    fm = (f + m + 1) // 2
    frame = pd.DataFrame(
        {"rfm_recency": r, "rfm_frequency": f, "rfm_monetary": m, "rfm_segment": rfm_segment(r, fm)}, index=index
    )
    frame["rfm_score"] = [f"{a}{b}{c}" for a, b, c in zip(r, f, m, strict=True)]
    return frame[list(RFM_COLUMNS)]
