"""Command line: ``python3 path/to/analytics report transactions.csv -o report.xlsx``.

The package's folder runs as a program from any folder; ``python3 -m
analytics`` does the same where the folder holding the package is on the
path (the addon's root, or ``PYTHONPATH``). This file only starts it: the
commands are in :mod:`.cli`.
"""

import os
import runpy
import sys

if __name__ == "__main__":
    # One thread for the numerical libraries, unless the caller chose otherwise: by default
    # numpy's BLAS (OpenBLAS, MKL, OpenMP) starts a thread per core when it is loaded, and on a
    # busy 2-core machine those threads tripled the CPU of a fit that gains nothing from them
    # (its vectors are short). The libraries read these variables once, when numpy is first
    # imported: so this comes before any import of numpy, pandas or scipy (the package's
    # __init__ imports none, so that ``python3 -m analytics`` is in time too).
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")
    if not __package__:
        # run as a path, ``python3 /path/to/analytics report ...``: Python put the package's own
        # folder on the path and runs this file outside its package, where the relative imports
        # below fail; run it as ``python3 -m analytics`` would, from the folder that holds it
        _folder = os.path.dirname(os.path.abspath(__file__))
        sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _folder]
        sys.path.insert(0, os.path.dirname(_folder))
        runpy.run_module("analytics", run_name="__main__", alter_sys=True)
        sys.exit(0)  # not reached: the package's run ends with its own exit code

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
