"""Spread customers over users: the arithmetic of group task assignment.

Customers are taken biggest first (revenue, then id, so that the same input
always gives the same plan). Modes:

``own``          each customer to their own salesperson (or a fallback user);
``round_robin``  in turn over the chosen users;
``balanced``     each to the chosen user with the fewest open activities,
                 counting those given so far;
``single``       all to one user.

Optional limits: ``sample_per_user`` keeps a sample of M customers per user
(the biggest, or a random pick); ``max_per_user`` caps what a user gets. In
the shared modes (round robin, balanced) the sample is drawn from the pool
(M times the number of users) before spreading, and a full user is skipped so the
next one takes the customer; customers left when every user is full are
returned as left out, never dropped silently.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

MODES = ("own", "round_robin", "balanced", "single")
SAMPLES = ("top", "random")


class AssignmentError(ValueError):
    """The choices cannot give a plan; ``code`` says which, for the caller's message."""

    def __init__(self, code, message, **params):
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


@dataclass
class Plan:
    assigned: pd.DataFrame  # partner_id, user_id, revenue: in the order the users get them
    left_out: pd.DataFrame  # partner_id, salesperson_id, revenue: no room left for them


def assign_customers(
    customers,
    mode,
    users=(),
    open_activities=None,
    fallback_user=None,
    max_per_user=None,
    sample_per_user=None,
    sample="top",
    seed=None,
):
    """Plan who works which customer.

    ``customers``: frame with ``partner_id``, ``salesperson_id`` (0 or NaN
    where none) and ``revenue``. ``users``: the chosen user ids (all modes
    but ``own``). ``open_activities``: {user id: open activities now}, for
    ``balanced``. Returns a :class:`Plan`; raises :class:`AssignmentError`.
    """
    if mode not in MODES:
        raise AssignmentError("mode", "Unknown assignment mode %(mode)s.", mode=mode)
    if sample not in SAMPLES:
        raise AssignmentError("sample", "Unknown sample %(sample)s.", sample=sample)
    for name, limit in (("max_per_user", max_per_user), ("sample_per_user", sample_per_user)):
        if limit is not None and limit < 1:
            raise AssignmentError(name, "%(name)s must be at least 1.", name=name)
    if customers.empty:
        raise AssignmentError("no_customers", "No customers to assign.")
    users = list(dict.fromkeys(users))
    if mode == "single" and len(users) != 1:
        raise AssignmentError("single_user", "Choose exactly one user.")
    if mode in ("round_robin", "balanced") and not users:
        raise AssignmentError("no_users", "Choose the users to spread the customers over.")

    pool = customers[["partner_id", "salesperson_id", "revenue"]].copy()
    pool["salesperson_id"] = pool["salesperson_id"].fillna(0).astype(int)
    pool["revenue"] = pool["revenue"].fillna(0.0).astype(float)
    pool = pool.sort_values(["revenue", "partner_id"], ascending=[False, True], kind="stable")
    rng = np.random.default_rng(seed)

    if mode in ("own", "single"):
        if mode == "own":
            owners = pool["salesperson_id"].where(pool["salesperson_id"] != 0, fallback_user or 0)
            missing = int((owners == 0).sum())
            if missing:
                raise AssignmentError(
                    "no_salesperson",
                    "%(count)s customers have no salesperson: choose a user to give them to.",
                    count=missing,
                )
        else:
            owners = pd.Series(users[0], index=pool.index)
        pool["user_id"] = owners.astype(int)
        keep = []
        for _user, group in pool.groupby("user_id", sort=False):
            if sample_per_user:
                group = _sample(group, sample_per_user, sample, rng)
            keep.append(group)
        pool = pd.concat(keep).sort_values(["revenue", "partner_id"], ascending=[False, True], kind="stable")
        rank = pool.groupby("user_id").cumcount()
        fits = rank < max_per_user if max_per_user else pd.Series(True, index=pool.index)
        assigned, left_out = pool[fits], pool[~fits]
    else:
        if sample_per_user:
            pool = _sample(pool, sample_per_user * len(users), sample, rng)
        targets = _spread(len(pool), users, mode, open_activities or {}, max_per_user)
        pool["user_id"] = targets
        assigned, left_out = pool[pool["user_id"] != 0], pool[pool["user_id"] == 0]

    return Plan(
        assigned=assigned[["partner_id", "user_id", "revenue"]].reset_index(drop=True),
        left_out=left_out[["partner_id", "salesperson_id", "revenue"]].reset_index(drop=True),
    )


def _sample(frame, size, how, rng):
    if len(frame) <= size:
        return frame
    if how == "top":
        return frame.iloc[:size]
    picked = np.sort(rng.choice(len(frame), size=size, replace=False))
    return frame.iloc[picked]


def _spread(count, users, mode, open_activities, cap):
    """User of each of ``count`` customers (0: no room left)."""
    given = dict.fromkeys(users, 0)
    targets = []
    turn = 0
    for _index in range(count):
        room = [user for user in users if not cap or given[user] < cap]
        if not room:
            targets.append(0)
            continue
        if mode == "round_robin":
            # next user in turn that still has room
            while users[turn % len(users)] not in room:
                turn += 1
            user = users[turn % len(users)]
            turn += 1
        else:
            user = min(room, key=lambda u: (open_activities.get(u, 0) + given[u], users.index(u)))
        given[user] += 1
        targets.append(user)
    return targets
