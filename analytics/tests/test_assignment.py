import pandas as pd
import pytest

from analytics.assignment import AssignmentError, assign_customers


def customers(rows):
    """rows: (partner_id, salesperson_id, revenue)"""
    return pd.DataFrame(rows, columns=["partner_id", "salesperson_id", "revenue"])


def given(plan):
    """{user: [partners in the order given]}"""
    result = {}
    for partner, user in zip(plan.assigned["partner_id"], plan.assigned["user_id"], strict=True):
        result.setdefault(int(user), []).append(int(partner))
    return result


TEN = customers([(p, 100 + p % 2, 1000.0 - p) for p in range(1, 11)])  # 1 is the biggest


def test_own_salesperson_gets_their_own_customers():
    plan = assign_customers(TEN, "own")
    assert given(plan) == {101: [1, 3, 5, 7, 9], 100: [2, 4, 6, 8, 10]}
    assert plan.left_out.empty


def test_own_salesperson_needs_a_fallback_for_customers_without_one():
    frame = customers([(1, 100, 5.0), (2, None, 9.0), (3, 0, 1.0)])
    with pytest.raises(AssignmentError) as error:
        assign_customers(frame, "own")
    assert error.value.code == "no_salesperson"
    assert error.value.params["count"] == 2
    plan = assign_customers(frame, "own", fallback_user=7)
    assert given(plan) == {7: [2, 3], 100: [1]}


def test_round_robin_takes_turns_biggest_first():
    plan = assign_customers(TEN, "round_robin", users=[7, 8, 9])
    assert given(plan) == {7: [1, 4, 7, 10], 8: [2, 5, 8], 9: [3, 6, 9]}


def test_balanced_fills_the_least_busy_first():
    plan = assign_customers(TEN, "balanced", users=[7, 8], open_activities={7: 4, 8: 0})
    counts = plan.assigned["user_id"].value_counts().to_dict()
    # 8 takes four to catch up with 7, then they alternate (a tie goes to the first chosen user)
    assert counts == {8: 7, 7: 3}
    assert given(plan)[8][:4] == [1, 2, 3, 4]


def test_single_user_gets_everything_and_needs_exactly_one():
    assert given(assign_customers(TEN, "single", users=[7])) == {7: list(range(1, 11))}
    with pytest.raises(AssignmentError):
        assign_customers(TEN, "single", users=[7, 8])


def test_cap_in_shared_modes_passes_on_then_leaves_out():
    plan = assign_customers(TEN, "round_robin", users=[7, 8, 9], max_per_user=2)
    assert given(plan) == {7: [1, 4], 8: [2, 5], 9: [3, 6]}
    assert list(plan.left_out["partner_id"]) == [7, 8, 9, 10]


def test_cap_in_balanced_mode_skips_full_users():
    plan = assign_customers(TEN, "balanced", users=[7, 8], open_activities={8: 100}, max_per_user=3)
    assert given(plan) == {7: [1, 2, 3], 8: [4, 5, 6]}
    assert len(plan.left_out) == 4


def test_cap_with_own_salesperson_keeps_the_biggest():
    plan = assign_customers(TEN, "own", max_per_user=2)
    assert given(plan) == {101: [1, 3], 100: [2, 4]}
    assert sorted(plan.left_out["partner_id"]) == [5, 6, 7, 8, 9, 10]


def test_top_sample_per_salesperson():
    plan = assign_customers(TEN, "own", sample_per_user=3)
    assert given(plan) == {101: [1, 3, 5], 100: [2, 4, 6]}
    assert plan.left_out.empty  # not sampled is not "left out": the manager asked for a sample


def test_random_sample_is_a_subset_of_the_right_size_and_repeatable():
    first = assign_customers(TEN, "round_robin", users=[7, 8], sample_per_user=2, sample="random", seed=42)
    again = assign_customers(TEN, "round_robin", users=[7, 8], sample_per_user=2, sample="random", seed=42)
    assert len(first.assigned) == 4
    assert first.assigned.equals(again.assigned)
    assert first.assigned["user_id"].value_counts().to_dict() == {7: 2, 8: 2}
    assert set(first.assigned["partner_id"]) <= set(range(1, 11))


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"mode": "round_robin"}, "no_users"),
        ({"mode": "balanced"}, "no_users"),
        ({"mode": "round_robin", "users": [7], "max_per_user": 0}, "max_per_user"),
        ({"mode": "own", "sample_per_user": 0}, "sample_per_user"),
        ({"mode": "teleport"}, "mode"),
    ],
)
def test_bad_choices_are_refused(kwargs, code):
    with pytest.raises(AssignmentError) as error:
        assign_customers(TEN, **kwargs)
    assert error.value.code == code


def test_no_customers_is_refused():
    with pytest.raises(AssignmentError) as error:
        assign_customers(customers([]), "own")
    assert error.value.code == "no_customers"
