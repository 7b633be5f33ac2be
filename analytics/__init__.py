"""Customer base analytics: lifecycle stage, ABC/XYZ segments, key accounts, LTV.

Framework independent (pandas, no Odoo): the Odoo addon feeds it rows read in
SQL and writes its results back; the command line feeds it a CSV file.

The names below load on first use: importing the package alone imports no numpy,
so that ``python3 -m analytics`` bounds numpy's threads (``__main__.py``) before
numpy starts them.
"""

import importlib

_EXPORTS = {
    "METRIC_COLUMNS": ".engine",
    "RANK_COLUMNS": ".engine",
    "CustomerBase": ".engine",
    "customer_metrics": ".engine",
    "STAGES": ".lifecycle",
    "Settings": ".settings",
}

__all__ = ["METRIC_COLUMNS", "RANK_COLUMNS", "STAGES", "CustomerBase", "Settings", "customer_metrics"]


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
