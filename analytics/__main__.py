"""Command line: ``python3 path/to/analytics report transactions.csv -o report.xlsx``.

The package's folder runs as a program from any folder; ``python3 -m
analytics`` does the same where the folder holding the package is on the
path (the addon's root, or ``PYTHONPATH``).

A bad file or option gets one line, ``error: <where>: <what is wrong and
what to do>``, and exit code 2; never a traceback, and never a partial or
temporary workbook left behind: the workbook is built in memory, written to
a temporary file beside the target and renamed over it, and the temporary
file is removed on any error, Ctrl-C or SIGTERM. A reader that stops reading
the output (``| head -n 1``) ends the command quietly, with exit code 0.
"""

import os
import runpy
import sys

if __name__ == "__main__":
    # One thread for the numerical libraries, unless the caller chose otherwise: by default
    # numpy's BLAS (OpenBLAS, MKL, OpenMP) starts a thread per core when it is loaded, and on a
    # busy 2-core machine those threads tripled the CPU of a fit that gains nothing from them
    # (its vectors are short). The libraries read these variables once, when numpy is first
    # imported: so this comes before any import of numpy, pandas or scipy. Run as
    # ``python3 -m analytics``, the package (analytics/__init__.py, which imports pandas) is
    # loaded before this file and the default stays; run as a path it is in time.
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

import argparse
import codecs
import contextlib
import datetime
import re
import signal
import tempfile

from . import predict_command
from .prediction import PredictionError
from .report import ReportError, default_start, workbook_data_from_orders
from .settings import Settings
from .transactions import DATE_RANGE, LAST_DATE, TransactionsError, parse_date, read_transactions, where
from .workbook import build_workbook

# a command line tool talks to its terminal, not to a log
# pylint: disable=print-used

EXIT_ERROR = 2  # bad file or option, as argparse uses
EXIT_BUG = 70  # EX_SOFTWARE: an error the command did not foresee
MAX_LOST_DAYS = 3650  # 10 years; dates stay in the range the engine computes with
MAX_MARGIN_RATIO = 1.0  # a margin is at most the whole amount, a loss at most as much again
CURRENCY_PATTERN = re.compile(r'[^"\\\x00-\x1f]{1,10}')  # quoted into the workbook's number format


class CommandError(Exception):
    """A bad option or output path; the message says where and what to do."""


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing the temporary file) and stop."""


class _Parser(argparse.ArgumentParser):
    """One ``error:`` line instead of argparse's usage block and ``SystemExit``."""

    def error(self, message):
        raise CommandError(f"{message} (see python -m analytics report --help)")


def _date(text):
    try:
        return parse_date(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _margin_ratio(text):
    try:
        ratio = float(text)
    except ValueError:
        ratio = None
    if ratio is None or not -MAX_MARGIN_RATIO <= ratio <= MAX_MARGIN_RATIO:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a margin ratio: give one between -1 and 1, such as 0.3 for 30 %"
        )
    return ratio


def _lost_days(text):
    try:
        days = int(text)
    except ValueError:
        days = None
    if days is None or not 1 <= days <= MAX_LOST_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to {MAX_LOST_DAYS}")
    return days


def _currency(text):
    text = text.strip()
    if text and not CURRENCY_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a currency: give a code or sign of at most 10 characters, without quotes, e.g. EUR"
        )
    return text


def _encoding(text):
    try:
        b"\x00\x00\x00\x00".decode(text)  # empty bytes would skip the lookup
    except UnicodeDecodeError:
        return codecs.lookup(text).name  # a text encoding, that these four bytes do not fit
    except LookupError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a text encoding, such as utf-8, cp1251 or gb18030") from None
    return codecs.lookup(text).name


def _parser():
    parser = _Parser(prog="python -m analytics", description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="customer base workbook from a CSV of transactions")
    report.add_argument(
        "csv", help="CSV file, comma-separated, UTF-8, with columns customer, date, amount[, margin][, salesperson]"
    )
    report.add_argument("-o", "--output", default="customer_base.xlsx", help="workbook to write")
    report.add_argument(
        "--margin",
        type=_margin_ratio,
        help="margin ratio when the CSV has no margin column, from -1 to 1 (0.3 = 30%%); "
        "without either, the margin figures are left empty",
    )
    report.add_argument("--as-of", type=_date, help="end of the period, YYYY-MM-DD (default: today)")
    report.add_argument(
        "--from",
        dest="date_from",
        type=_date,
        help="start of the period, YYYY-MM-DD (default: 12 months, the current one included)",
    )
    report.add_argument("--company", help="company name shown in the workbook (default: the CSV's file name)")
    report.add_argument("--currency", type=_currency, default="", help="currency shown with amounts, e.g. EUR")
    report.add_argument(
        "--lost-days",
        type=_lost_days,
        default=Settings.lost_days,
        help=f"days of silence before a customer is lost, 1 to {MAX_LOST_DAYS}",
    )
    report.add_argument(
        "--encoding", type=_encoding, help="the CSV's encoding, e.g. cp1251 (default: UTF-8, or UTF-16 with a BOM)"
    )
    report.add_argument(
        "--calibration-end",
        type=_date,
        help="add a Forecast sheet: the prediction fitted up to this day, YYYY-MM-DD, checked on the orders after it",
    )
    predict_command.add_parser(commands, _date, _encoding)
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
            code = predict_command.run(args, CommandError) if args.command == "predict" else _report(args)
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


def _report(args):
    as_of = args.as_of or datetime.date.today()
    if as_of > LAST_DATE:
        raise CommandError(f"today ({as_of}) is outside the dates read, {DATE_RANGE}: give --as-of")
    date_from = args.date_from or default_start(as_of)
    if date_from > as_of:
        raise CommandError(f"the period starts on {date_from}, after it ends on {as_of}: check --from and --as-of")
    _check_output(args.output, args.csv)
    orders, has_margin = read_transactions(args.csv, args.margin, encoding=args.encoding, as_of=as_of)
    if has_margin:
        note = "from the margin column"
    elif args.margin is not None:
        note = f"default ratio {args.margin:.0%} of each amount"
    else:
        note = "no margin in the file: margin, margin rate (P) and LTV are left empty"
    company = args.company or os.path.splitext(os.path.basename(args.csv))[0]
    data = workbook_data_from_orders(
        orders,
        as_of=as_of,
        date_from=date_from,
        settings=Settings(lost_days=args.lost_days),
        company=company,
        currency=args.currency,
        margin_note=note,
        has_margin=has_margin or args.margin is not None,
    )
    if args.calibration_end is not None:
        data.forecast = predict_command.forecast(orders, args.calibration_end, as_of, CommandError)
    _write_atomically(build_workbook(data), args.output)
    print(f"{args.output}: {len(data.customers)} customers, {len(orders)} orders, {date_from} to {as_of}")
    return 0


def _check_output(output, source):
    """Refuse an output path that cannot take the workbook, before any work is done."""
    target = os.path.abspath(output)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        example = os.path.join(output, "customer_base.xlsx")
        raise CommandError(f"{where(output)}: this is a folder; give the workbook's file name, e.g. {example}")
    if not os.path.isdir(folder):
        raise CommandError(f"{where(output)}: the folder {folder} does not exist; create it or write elsewhere")
    if os.path.exists(target) and os.path.exists(source) and os.path.samefile(target, source):
        raise CommandError(f"{where(output)}: this is the CSV file itself; give another name for the workbook")


def _write_atomically(payload, output):
    """Write ``payload`` to ``output`` through a temporary file beside it, removed whatever happens.

    The file is created only now, with the workbook complete in memory, so
    that the moment a temporary file exists is as short as it can be; an
    existing workbook is replaced only by a complete one.
    """
    folder = os.path.dirname(os.path.abspath(output))
    temporary = None
    try:
        # a signal between creating the file and knowing its name would leave it behind
        with _signals_blocked():
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".customer_base-", suffix=".xlsx.part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would hide the workbook from others
        os.replace(temporary, output)
        temporary = None
    except OSError as error:
        raise CommandError(f"{where(output)}: the workbook cannot be written: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _signals_blocked():
    signals = {signal.SIGTERM, signal.SIGINT}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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


if __name__ == "__main__":
    sys.exit(main())
