"""Writing the workbook: never a partial or temporary file left behind.

The workbook is built in memory, written to a temporary file beside the
target and renamed over it; the temporary file is removed on any error,
Ctrl-C or SIGTERM, and an existing workbook is replaced only by a complete one.
"""

import contextlib
import os
import signal
import tempfile

from .options import CommandError
from .transactions import where

TEMPORARY_PREFIX = ".customer_base-"
TEMPORARY_SUFFIX = ".xlsx.part"
SHARED_MODE = 0o666  # what the umask leaves of it: mkstemp's 0600 would hide the workbook from others


def check_output(output, source):
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


def write_atomically(payload, output):
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
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX)
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, SHARED_MODE & ~_umask())
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
