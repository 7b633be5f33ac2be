import pandas as pd
import pytest

from analytics.readiness import conversion_by_readiness, readiness, readiness_column


@pytest.mark.parametrize(
    ("need", "budget", "urgency", "expected"),
    [
        ("yes", "yes", "yes", "ready"),
        ("yes", "no", "yes", "push"),
        ("yes", "yes", "partly", "push"),
        ("partly", "yes", "yes", "push"),
        ("no", "yes", "yes", "not_now"),
        ("no", "no", "no", "not_now"),
        ("yes", None, "yes", None),
        (None, None, None, None),
    ],
)
def test_readiness_from_the_three_answers(need, budget, urgency, expected):
    assert readiness(need, budget, urgency) == expected, f"{need}/{budget}/{urgency}"


def test_unknown_answer_is_refused():
    with pytest.raises(ValueError, match="answers are one of"):
        readiness("maybe", "yes", "yes")


def test_readiness_column_matches_the_scalar_rule():
    frame = pd.DataFrame(
        {
            "need": ["yes", "yes", "no", "partly", None],
            "budget": ["yes", "partly", "yes", "yes", "yes"],
            "urgency": ["yes", "yes", "yes", "no", "yes"],
        }
    )
    expected = [readiness(*row) for row in frame.itertuples(index=False)]
    assert readiness_column(frame).tolist() == expected, "vectorized and scalar rules agree"


def test_conversion_counts_closed_opportunities_only():
    leads = pd.DataFrame(
        {
            "readiness": ["ready", "ready", "ready", "push", "push", None],
            "outcome": ["won", "won", "lost", "open", "lost", "won"],
        }
    )
    table = conversion_by_readiness(leads)
    assert table.loc["ready", "conversion"] == pytest.approx(200 / 3), "2 won of 3 closed"
    assert table.loc["push", "conversion"] == 0.0, "1 closed, lost"
    assert table.loc["push", "opportunities"] == 2, "the open one is counted as an opportunity"
    assert "not_now" not in table.index, "no opportunity without readiness is counted"
