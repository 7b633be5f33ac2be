import numpy as np
import pandas as pd
import pytest

from analytics.rfm import SEGMENTS, quintile_scores, rfm_scores, rfm_segment


def test_quintiles_of_ten_distinct_values():
    scores = quintile_scores(np.arange(10))
    assert list(scores) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5], "two customers per quintile"


def test_fewer_is_better_for_recency():
    scores = quintile_scores([1, 400, 30, 90, 200], higher_is_better=False)
    assert list(scores) == [5, 1, 4, 3, 2], "the most recent buyer scores 5"


def test_ties_share_a_score():
    scores = quintile_scores([1, 1, 1, 1, 1, 1, 2, 3, 5, 8])
    assert len(set(scores[:6])) == 1 and scores[0] == 1, "six one-order customers all score 1"
    assert list(scores[6:]) == [4, 4, 5, 5], "1 + floor(5 x share strictly lower)"


def test_single_customer_scores_one():
    assert list(quintile_scores([42.0])) == [1], "nobody is worse"
    assert len(quintile_scores([])) == 0, "no customer, no score"


@pytest.mark.parametrize(
    ("r", "fm", "segment"),
    [
        (5, 5, "champions"),
        (5, 4, "champions"),
        (4, 5, "loyal"),
        (3, 4, "loyal"),
        (5, 3, "potential_loyalists"),
        (4, 2, "potential_loyalists"),
        (5, 1, "new"),
        (4, 1, "new"),
        (3, 3, "need_attention"),
        (3, 2, "about_to_sleep"),
        (3, 1, "about_to_sleep"),
        (2, 5, "cannot_lose"),
        (1, 5, "cannot_lose"),
        (2, 4, "at_risk"),
        (1, 3, "at_risk"),
        (2, 2, "hibernating"),
        (2, 1, "hibernating"),
        (1, 2, "lost"),
        (1, 1, "lost"),
    ],
)
def test_segment_of_scores(r, fm, segment):
    assert rfm_segment([r], [fm])[0] == segment, f"R {r}, FM {fm}"


def test_every_score_pair_has_a_known_segment():
    r, fm = np.meshgrid(range(1, 6), range(1, 6))
    assert set(rfm_segment(r.ravel(), fm.ravel())) == set(SEGMENTS), "the ten segments, each reachable"


def test_rfm_frame_of_customers():
    index = pd.Index([10, 11, 12, 13, 14], name="partner_id")
    frame = rfm_scores(
        pd.Series([5, 20, 100, 200, 400], index=index),
        pd.Series([9, 5, 3, 1, 0], index=index),
        pd.Series([900.0, 500.0, 300.0, 100.0, 0.0], index=index),
    )
    assert frame.loc[10, "rfm_score"] == "555" and frame.loc[10, "rfm_segment"] == "champions", "best on all three"
    assert frame.loc[14, "rfm_score"] == "111" and frame.loc[14, "rfm_segment"] == "lost", "worst on all three"
    assert frame.loc[12, "rfm_segment"] == "need_attention", "middle of the pack"
