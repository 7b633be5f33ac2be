import math

import pytest

from analytics.settings import Settings, setting_problems


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("window_months", 99_999),
        ("lost_days", 999_999),
        ("lifetime_months", math.nan),
        ("lifetime_months", math.inf),
        ("abc_a_percent", -math.inf),
        ("at_risk_min_days", -1),
        ("xyz_y_months", 0),
    ],
)
def test_values_out_of_their_range_are_refused(name, value):
    problems = setting_problems({name: value})
    assert [(problem.kind, problem.name) for problem in problems] == [("range", name)], f"{name}={value} refused"
    with pytest.raises(ValueError, match=name):
        Settings(**{name: value})


def test_at_risk_after_lost_is_refused_as_it_could_never_happen():
    problems = setting_problems({"lost_days": 30, "at_risk_min_days": 60, "at_risk_single_order_days": 20})
    assert [(p.name, p.other) for p in problems] == [("at_risk_min_days", "lost_days")], "only the pair out of order"
    assert str(problems[0]) == "at_risk_min_days (60) must be below lost_days (30)", "message quotes both values"


def test_a_pair_is_not_compared_when_one_side_is_already_out_of_range():
    problems = setting_problems({"abc_a_percent": 150, "abc_b_percent": 95})
    assert [problem.kind for problem in problems] == ["range"], "one message for one mistake"


def test_defaults_and_edges_are_accepted():
    assert Settings().problems() == [], "defaults make sense"
    assert setting_problems({"window_months": 120, "lost_days": 3650, "at_risk_min_days": 0}) == [], "bounds included"
