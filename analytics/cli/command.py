"""Command line: ``python3 path/to/analytics report transactions.csv -o report.xlsx``.

A bad file or option gets one line, ``error: <where>: <what is wrong and
what to do>``, and exit code 2; never a traceback, and never a partial or
temporary workbook left behind (see :mod:`.output`). A reader that stops
reading the output (``| head -n 1``) ends the command quietly, with exit code 0.
"""

import argparse
import contextlib
import os
import signal
import sys

from ..prediction import PredictionError
from . import predict, report
from .options import CommandError
from .report import ReportError
from .transactions import TransactionsError, where

# a command line tool talks to its terminal, not to a log
# pylint: disable=print-used

EXIT_ERROR = 2  # bad file or option, as argparse uses
EXIT_BUG = 70  # EX_SOFTWARE: an error the command did not foresee
COMMANDS = {"report": report, "predict": predict}  # each declares its arguments (add_parser) and runs (run)


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing the temporary file) and stop."""


class _Parser(argparse.ArgumentParser):
    """One ``error:`` line instead of argparse's usage block and ``SystemExit``."""

    def error(self, message):
        raise CommandError(f"{message} (see python -m analytics report --help)")


def _parser():
    parser = _Parser(prog="python -m analytics", description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv=None):
    """Run the command; return its exit code (0, or 2 after one ``error:`` line)."""
    try:
        args = _parser().parse_args(argv)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    # what a stop leaves undone: the report writes a workbook, the prediction only prints
    unfinished = "nothing more printed" if args.command == "predict" else "no workbook written"
    with _sigterm_raises():
        try:
            code = COMMANDS[args.command].run(args)
            if sys.stdout is not None:  # None when started with its standard output closed
                sys.stdout.flush()  # a closed pipe shows now, not in the interpreter's last flush
            return code
        except BrokenPipeError:
            # the reader stopped reading (``| head``): it had what it wanted; the rest goes nowhere
            _stdout_to_devnull()
            return 0
        except (CommandError, TransactionsError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_ERROR
        except (ReportError, PredictionError) as error:
            print(f"error: {where(args.csv)}: {error}", file=sys.stderr)
            return EXIT_ERROR
        except Terminated:
            print(f"error: stopped (SIGTERM): {unfinished}", file=sys.stderr)
            return 128 + signal.SIGTERM
        except KeyboardInterrupt:
            print(f"error: interrupted: {unfinished}", file=sys.stderr)
            return 128 + signal.SIGINT
        except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback
            print(
                f"error: {where(args.csv)}: unexpected {type(error).__name__}: {error}; "
                f"{unfinished} (a bug: please report it with the file)",
                file=sys.stderr,
            )
            return EXIT_BUG


def _stdout_to_devnull():
    """Point standard output at the null device, so that the interpreter's last flush finds no broken pipe."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no file behind it: no last flush to fail
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


@contextlib.contextmanager
def _sigterm_raises():
    """SIGTERM raises :class:`Terminated` meanwhile, so that cleanups run (Python's default just dies)."""

    def stop(_signum, _frame):
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
