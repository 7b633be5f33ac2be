"""Settings of the customer base metrics.

Every threshold the engine uses lives here with its default, so that the Odoo
addon (per-company settings) and the command line feed the same object.
Percentages are given in percent (80.0 means 80 %), durations in days or
months as their names say.
"""

import math
from dataclasses import dataclass, fields

XYZ_METHODS = ("frequency", "stability")
LIFETIME_METHODS = ("fixed", "estimated")
STAGE_METHODS = ("days", "probability")  # at risk / lost by days without an order, or by P(alive)

# Accepted range of each number, bounds included. A setting outside them either
# means nothing (a share above 100 %) or breaks date arithmetic later (a window of
# 99,999 months reaches before year 1): the nightly job must never meet one.
RANGES = {
    "window_months": (1, 120),  # months
    "abc_a_percent": (0.1, 100),
    "abc_b_percent": (0.1, 100),
    "xyz_x_months": (0.1, 120),  # months
    "xyz_y_months": (0.1, 120),
    "xyz_x_variation": (0, 1000),  # % of the mean monthly revenue
    "xyz_y_variation": (0, 1000),
    "lost_days": (1, 3650),  # days
    "at_risk_min_days": (0, 3650),
    "at_risk_single_order_days": (1, 3650),
    "at_risk_interval_factor": (1, 100),
    "regular_min_orders": (2, 1000),  # orders
    "loyal_share_of_wallet": (0, 100),
    "lifetime_months": (1, 600),  # months
    "lifetime_min_lost_customers": (0, 1_000_000),  # customers
    "ltv_min_orders": (1, 1000),  # orders
    "ltv_min_months": (0, 120),  # months
    "key_account_percent": (0.1, 100),
    "dependency_elevated_percent": (0.1, 100),
    "dependency_high_percent": (0.1, 100),
    "dependency_critical_percent": (0.1, 100),
    # Customer temperature
    "temperature_contact_days": (1, 3650),  # days without contact that bring its component to 0
    "feedback_alert_days": (1, 3650),  # days a complaint or a cooling keeps a customer at risk
    "key_account_drop_percent": (1, 100),  # % of the previous 90 days' revenue
    "key_account_reminder_days": (0, 365),  # days ahead
    "at_risk_probability": (0.1, 100),  # % probability still active
    "lost_probability": (0, 99.9),
    "clv_discount_percent": (0, 100),  # % per year
}
# (lower, higher): the first must stay strictly below the second, or a class or a
# stage can never happen (at risk after 60 days is never reached when lost after 30).
RISING = (
    ("abc_a_percent", "abc_b_percent"),
    ("xyz_x_months", "xyz_y_months"),
    ("xyz_x_variation", "xyz_y_variation"),
    ("dependency_elevated_percent", "dependency_high_percent"),
    ("dependency_high_percent", "dependency_critical_percent"),
    ("at_risk_min_days", "lost_days"),
    ("at_risk_single_order_days", "lost_days"),
    ("lost_probability", "at_risk_probability"),
)
# Keeping in touch (see analytics.contacts): costs in call units, the daily cap in
# contacts per salesperson, the planned share in % of the activities done
CONTACT_RANGES = {
    "contact_visit_cost": (0, 1_000_000),  # call units
    "contact_call_cost": (0, 1_000_000),
    "contact_email_cost": (0, 1_000_000),
    "contact_unit_value": (0, 1_000_000_000),  # company currency per call unit
    "contact_daily_cap": (1, 1000),  # planned contacts per salesperson and day
    "contact_plan_days": (1, 365),  # days ahead the planning fills
    "contact_planned_target": (0, 100),  # %
}
CHOICES = {"xyz_method": XYZ_METHODS, "lifetime_method": LIFETIME_METHODS}
CHOICES = {"xyz_method": XYZ_METHODS, "lifetime_method": LIFETIME_METHODS, "stage_method": STAGE_METHODS}


@dataclass(frozen=True)
class Problem:
    """One reason why settings make no sense: a value out of its range, a pair out of order, a bad choice."""

    kind: str  # "range", "order" or "choice"
    name: str
    value: object
    other: str = ""  # "order": the setting it must stay below
    other_value: object = None
    low: float = 0.0  # "range": accepted bounds
    high: float = 0.0

    def __str__(self):
        if self.kind == "range":
            return f"{self.name} must be between {self.low:g} and {self.high:g}, not {self.value}"
        if self.kind == "order":
            return f"{self.name} ({self.value}) must be below {self.other} ({self.other_value})"
        return f"{self.name} must be one of {', '.join(CHOICES[self.name])}, not {self.value!r}"


def in_range(value, low, high):
    """Whether ``value`` is a finite number between ``low`` and ``high`` (NaN and infinity are not)."""
    try:
        return math.isfinite(value) and low <= value <= high
    except TypeError:
        return False


def setting_problems(values, ranges=RANGES, rising=RISING):
    """The :class:`Problem` list of the settings ``values`` (a mapping of setting name to value).

    Only the names present in ``values`` are checked, so a caller may add its own
    ranges and pairs (the Odoo company adds the settings the engine does not use).
    """
    problems = [
        Problem("range", name, values[name], low=low, high=high)
        for name, (low, high) in ranges.items()
        if name in values and not in_range(values[name], low, high)
    ]
    out_of_range = {problem.name for problem in problems}
    for low, high in rising:
        if low in values and high in values and not out_of_range & {low, high} and values[low] >= values[high]:
            problems.append(Problem("order", low, values[low], other=high, other_value=values[high]))
    for name, choices in CHOICES.items():
        if name in values and values[name] not in choices:
            problems.append(Problem("choice", name, values[name]))
    return problems


@dataclass(frozen=True)
class Settings:
    """Thresholds of one company's customer base analysis."""

    # ABC and the revenue window
    window_months: int = 12
    abc_a_percent: float = 80.0  # cumulative revenue share before the customer
    abc_b_percent: float = 95.0
    # XYZ
    xyz_method: str = "frequency"
    xyz_x_months: float = 1.0  # X: at least one order every N months
    xyz_y_months: float = 3.0  # Y: at least one order every N months
    xyz_x_variation: float = 10.0  # X: monthly revenue varies at most N %
    xyz_y_variation: float = 25.0
    # Lifecycle
    lost_days: int = 365
    at_risk_min_days: int = 60
    at_risk_single_order_days: int = 90
    at_risk_interval_factor: float = 2.0
    regular_min_orders: int = 3
    loyal_share_of_wallet: float = 80.0
    # Lifetime value
    lifetime_method: str = "fixed"
    lifetime_months: float = 36.0
    lifetime_min_lost_customers: int = 20
    ltv_min_orders: int = 2  # LTV is projected from this many orders...
    ltv_min_months: float = 3.0  # ...and this many months since the first order
    # Key accounts and dependency
    key_account_percent: float = 10.0
    dependency_elevated_percent: float = 20.0
    dependency_high_percent: float = 40.0
    dependency_critical_percent: float = 50.0
    # Customer temperature (see analytics.temperature)
    temperature_contact_days: int = 180
    feedback_alert_days: int = 90
    # Key account alarms and reminders
    key_account_drop_percent: float = 30.0  # alarm when 90 days' revenue fell by more than this share
    key_account_reminder_days: int = 7  # reviews and birthdays become activities this many days ahead
    # Prediction (see .prediction): stages by probability still active, CLV discount
    stage_method: str = "days"
    at_risk_probability: float = 50.0  # at risk below this P(alive), in %
    lost_probability: float = 10.0  # lost below this P(alive), in %
    clv_discount_percent: float = 10.0  # yearly discount rate of the predicted CLV

    def __post_init__(self):
        problems = setting_problems(vars(self))
        if problems:
            raise ValueError("; ".join(str(problem) for problem in problems))

    def problems(self):
        """Return the reasons why these settings make no sense (see :func:`setting_problems`)."""
        return setting_problems(vars(self))

    @classmethod
    def field_names(cls):
        return [f.name for f in fields(cls)]
