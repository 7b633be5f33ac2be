"""The command line, apart from the engine: ``report`` writes a workbook, ``predict`` prints the fitted models.

``command`` reads the arguments and turns every failure into one ``error:``
line; ``report`` and ``predict`` are the two commands; ``transactions`` reads
their CSV file, ``options`` checks their option values, ``output`` writes the
workbook. Imports go one way: this package uses the engine modules, which
never import it. ``analytics/__main__.py`` runs :func:`main`.
"""

from .command import main

__all__ = ["main"]
