"""The command runs from any folder, given the package's path, and its fits keep numpy's BLAS to one thread."""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import openpyxl
import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1]  # the analytics folder
SAMPLE = PACKAGE / "sample" / "transactions.csv"
CDNOW = PACKAGE / "tests" / "data" / "cdnow_sample.csv"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def clean_environment():
    """The user's environment: no PYTHONPATH to the addon, no thread setting of their own."""
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", *THREAD_VARIABLES)}


def run(args, cwd):
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_report_runs_from_another_folder_by_the_package_path(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "transactions.csv")
    done = run(
        [str(PACKAGE), "report", "transactions.csv", "-o", "customer_base.xlsx", "--as-of", "2026-10-31"], tmp_path
    )
    assert (done.returncode, done.stderr) == (0, ""), f"runs outside the repository: {done.stderr}"
    assert done.stdout.startswith("customer_base.xlsx: 24 customers"), f"says what it wrote: {done.stdout!r}"
    workbook = openpyxl.load_workbook(tmp_path / "customer_base.xlsx")
    assert workbook.sheetnames[:2] == ["Summary", "Customers"], "the workbook, beside the CSV, in that folder"


def test_error_from_another_folder_is_still_one_line(tmp_path):
    done = run([str(PACKAGE), "report", "missing.csv"], tmp_path)
    assert done.returncode == 2, f"exit code 2: {done.returncode}"
    assert done.stderr == "error: missing.csv: no such file\n", f"one error line: {done.stderr!r}"


def threads_after(code, cwd):
    """Threads of a fresh interpreter once ``code`` ran: the main one, and any the BLAS library started."""
    probe = "\n".join(
        [
            "import os, runpy, sys",
            textwrap.dedent(code),
            'print(len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))',
        ]
    )
    done = run(["-c", probe], cwd)
    assert done.returncode == 0, done.stderr
    threads, variable = done.stdout.split()[-2:]
    return int(threads), variable


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc (Linux)")
def test_predict_keeps_the_numerical_libraries_to_one_thread(tmp_path):
    # the command as ``python3 path/to/analytics predict ...`` runs it, in a process that lives on to count
    run_command = f"""
        sys.argv = [{str(PACKAGE)!r}, "predict", {str(CDNOW)!r}, "--calibration-end", "1997-09-30", "--json"]
        try:
            runpy.run_path({str(PACKAGE)!r}, run_name="__main__")
        except SystemExit as stop:
            assert stop.code == 0, stop.code
        """
    threads, variable = threads_after(run_command, tmp_path)
    assert variable == "1", f"the command sets OPENBLAS_NUM_THREADS=1 for itself: {variable!r}"
    assert threads == 1, f"no thread but the main one after the fits: {threads}"
    default, _variable = threads_after("import numpy", tmp_path)
    if default == 1:
        pytest.skip("numpy starts no thread of its own here (one core): the bound cannot show")
    assert default > threads, f"without the bound numpy starts {default} threads"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc (Linux)")
def test_python_m_analytics_keeps_numpy_to_one_thread_too(tmp_path):
    # ``python3 -m analytics`` loads the package before its __main__: the package must not load numpy
    run_module = f"""
        sys.path.insert(0, {str(PACKAGE.parent)!r})
        sys.argv = ["analytics", "predict", {str(CDNOW)!r}, "--json"]
        try:
            runpy.run_module("analytics", run_name="__main__", alter_sys=True)
        except SystemExit as stop:
            assert stop.code == 0, stop.code
        """
    threads, variable = threads_after(run_module, tmp_path)
    assert variable == "1", f"python -m analytics sets OPENBLAS_NUM_THREADS=1 too: {variable!r}"
    assert threads == 1, f"no thread but the main one after the fits: {threads}"


def test_the_package_alone_loads_no_numpy(tmp_path):
    probe = (
        f"import sys; sys.path.insert(0, {str(PACKAGE.parent)!r}); import analytics; "
        "print('numpy' in sys.modules); from analytics import Settings; print(Settings.__name__)"
    )
    done = run(["-c", probe], tmp_path)
    assert done.stdout.split() == ["False", "Settings"], f"numpy loads on first use only: {done.stdout!r} {done.stderr}"
