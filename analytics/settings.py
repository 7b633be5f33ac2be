"""Settings of the customer base metrics.

Every threshold the engine uses lives here with its default, so that the Odoo
addon (per-company settings) and the command line feed the same object.
Percentages are given in percent (80.0 means 80 %), durations in days or
months as their names say.
"""

from dataclasses import dataclass, fields

XYZ_METHODS = ("frequency", "stability")
LIFETIME_METHODS = ("fixed", "estimated")


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
    # Key accounts and dependency
    key_account_percent: float = 10.0
    dependency_elevated_percent: float = 20.0
    dependency_high_percent: float = 40.0
    dependency_critical_percent: float = 50.0

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self):
        """Return the list of reasons why these settings make no sense."""
        problems = []
        for name in (
            "abc_a_percent",
            "abc_b_percent",
            "xyz_x_variation",
            "xyz_y_variation",
            "loyal_share_of_wallet",
            "key_account_percent",
            "dependency_elevated_percent",
            "dependency_high_percent",
            "dependency_critical_percent",
        ):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                problems.append(f"{name} must be between 0 and 100, not {value}")
        for name in (
            "window_months",
            "xyz_x_months",
            "xyz_y_months",
            "lost_days",
            "at_risk_single_order_days",
            "at_risk_interval_factor",
            "regular_min_orders",
            "lifetime_months",
        ):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be positive, not {getattr(self, name)}")
        for name in ("at_risk_min_days", "lifetime_min_lost_customers"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative, not {getattr(self, name)}")
        ordered = [
            ("abc_a_percent", "abc_b_percent"),
            ("xyz_x_months", "xyz_y_months"),
            ("xyz_x_variation", "xyz_y_variation"),
            ("dependency_elevated_percent", "dependency_high_percent"),
            ("dependency_high_percent", "dependency_critical_percent"),
        ]
        for low, high in ordered:
            if getattr(self, low) >= getattr(self, high):
                problems.append(f"{low} ({getattr(self, low)}) must be below {high} ({getattr(self, high)})")
        if self.xyz_method not in XYZ_METHODS:
            problems.append(f"xyz_method must be one of {', '.join(XYZ_METHODS)}, not {self.xyz_method!r}")
        if self.lifetime_method not in LIFETIME_METHODS:
            problems.append(
                f"lifetime_method must be one of {', '.join(LIFETIME_METHODS)}, not {self.lifetime_method!r}"
            )
        return problems

    @classmethod
    def field_names(cls):
        return [f.name for f in fields(cls)]
