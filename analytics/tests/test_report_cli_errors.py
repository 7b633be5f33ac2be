"""The CSV command's answer to bad files and options: one ``error:`` line, exit code 2, no file left."""

import os
import pathlib
import signal
import subprocess
import sys

import openpyxl
import pytest

from analytics.__main__ import main

HEADER = "customer,date,amount,margin\n"
GOOD = HEADER + "Acme,2026-10-01,100,30\n"
ROOT = pathlib.Path(__file__).resolve().parents[2]  # holds the analytics package


def write_csv(tmp_path, content, name="transactions.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run(tmp_path, path, *options, output=None):
    """Exit code of the command on ``path``, writing ``output`` (report.xlsx beside the CSV by default)."""
    output = output or tmp_path / "report.xlsx"
    return main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31", *options])


def one_error(capsys):
    """The single ``error:`` line the command printed."""
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, f"one error line, no traceback: {err!r}"
    return err


def customer_names(path):
    sheet = openpyxl.load_workbook(path)["Customers"]
    return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0])


@pytest.mark.parametrize(
    ("content", "place", "says"),
    [
        (HEADER + "Acme,2026-10-01,inf,1\n", "line 2, column amount", "'inf' is not a number"),
        (HEADER + "Acme,2026-10-01,-inf,1\n", "line 2, column amount", "'-inf' is not a number"),
        (HEADER + "Acme,2026-10-01,NaN,1\n", "line 2, column amount", "'NaN' is not a number"),
        (HEADER + "Acme,2026-10-01,10,nan\n", "line 2, column margin", "'nan' is not a number"),
        (HEADER + "Acme,2026-10-01,1e308,1\nAcme,2026-10-02,1e308,1\n", "line 2, column amount", "too large"),
        (HEADER + 'Acme,2026-10-01,"1,250.00",1\n', "line 2, column amount", "no thousands separator"),
        (HEADER + "Acme,2026-10-01,10,\n", "line 2, column margin", "empty margin"),
        (HEADER + "Acme,2026-10-01,10,1\nAcme,2026-10-02,10,1,x\n", "line 3, column 5", "5 values for 4 columns"),
        (HEADER + "Acme,2026-10-01,10\n", "line 2, column margin", "3 values for 4 columns"),
        (
            HEADER + 'Acme,2026-10-01,10,1\n"Bob,2026-10-02,5,1\nCy,2026-10-03,5,1\n',
            "line 3, column customer",
            "never closed",
        ),
        (HEADER + 'Acme,2026-10-01,10,1\n"Bob"s,2026-10-02,5,1\n', "line 3, column customer", "quoted whole"),
        ("customer,date,amount,Amount\nAcme,2026-10-01,10,1\n", "line 1, column 4", "amount is named twice"),
        ("customer;date;amount\nAcme;2026-10-01;10\n", "line 1", "separated by semicolons"),
        (HEADER + "Acme,2026-10-01,10,1\n,2026-10-02,5,1\n", "line 3, column customer", "empty customer"),
        (HEADER + "Acme,0001-01-01,10,1\n", "line 2, column date", "outside the dates read, 1900-01-01 to 2199-12-31"),
        (HEADER + "Acme,2300-01-01,10,1\n", "line 2, column date", "outside the dates read"),
        (HEADER + "Acme,2025-W10-1,10,1\n", "line 2, column date", "not a date written YYYY-MM-DD"),
        (HEADER + "Acme,20250301,10,1\n", "line 2, column date", "not a date written YYYY-MM-DD"),
        (HEADER + "Acme,2025-03-01T10:00,10,1\n", "line 2, column date", "not a date written YYYY-MM-DD"),
        (HEADER + "Acme,2025-02-30,10,1\n", "line 2, column date", "not a day of the calendar"),
        (HEADER + "Acme,2025-02-28,ten,x\n", "line 2, column amount", "'ten' is not a number"),
        ("   \n\n", None, "the file is empty"),
        (HEADER + "\n", None, "no transaction after the header line"),
        (HEADER + "Acme,2026-11-05,10,1\n", None, "no transaction on or before 2026-10-31: give a later --as-of"),
        (HEADER + "Acme,2026-10-01,-10,-1\n", "line 2, column amount", "a refund (-10) of Acme on 2026-10-01, before"),
    ],
)
def test_bad_file_gets_one_line_naming_line_and_column(tmp_path, capsys, content, place, says):
    path = write_csv(tmp_path, content)
    assert run(tmp_path, path) == 2, "the command refuses the file"
    err = one_error(capsys)
    prefix = f"error: {path}, {place}: " if place else f"error: {path}: "
    assert err.startswith(prefix), f"the message starts with {prefix!r}: {err!r}"
    assert says in err, f"the message says {says!r}: {err!r}"
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "nothing is written beside the CSV"


def test_figures_too_large_for_a_cell_are_refused_naming_the_customer(tmp_path, capsys):
    # a margin rate over a revenue of almost nothing overflows, though each amount is in range
    path = write_csv(tmp_path, HEADER + "Acme,2026-10-01,100,30\nTiny,2026-10-01,1e-300,1e15\n")
    assert run(tmp_path, path) == 2, "refused"
    err = one_error(capsys)
    assert err.startswith(f"error: {path}: customer Tiny: Margin rate (P) is too large to compute"), err
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "nothing is written"


def test_header_names_are_read_whatever_their_case_and_spaces(tmp_path):
    path = write_csv(tmp_path, " Customer , DATE ,Amount,  Margin \n\nAcme,2026-10-01, 100 ,30\n")
    assert run(tmp_path, path) == 0, "the file is read"
    assert customer_names(tmp_path / "report.xlsx") == ["Acme"], "its one customer"


def test_quoted_value_may_hold_commas_and_line_breaks(tmp_path):
    path = write_csv(tmp_path, HEADER + '"Smith, John\nand sons",2026-10-01,100,30\nBob,2026-10-02,5,1\n')
    assert run(tmp_path, path) == 0, "the file is read"
    assert customer_names(tmp_path / "report.xlsx") == ["Bob", "Smith, John\nand sons"], "both customers"


def test_line_numbers_count_the_lines_of_quoted_line_breaks(tmp_path, capsys):
    path = write_csv(tmp_path, HEADER + '"Smith\nand sons",2026-10-01,100,30\nBob,2026-13-02,5,1\n')
    assert run(tmp_path, path) == 2, "the file is refused"
    assert f"{path}, line 4, column date" in one_error(capsys), "Bob's row is the file's fourth line"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
    ids=["utf-8", "utf-8 with BOM", "utf-16-le with BOM", "utf-16-be with BOM"],
)
def test_utf8_and_utf16_with_bom_are_read(tmp_path, encoding, prefix):
    path = write_csv(tmp_path, prefix + (HEADER + "Café Müller,2026-10-01,100,30\n").encode(encoding))
    assert run(tmp_path, path) == 0, "the file is read"
    assert customer_names(tmp_path / "report.xlsx") == ["Café Müller"], "names decoded, no BOM in the header"


@pytest.mark.parametrize(("encoding", "name"), [("cp1251", "Ромашка"), ("gb18030", "北京贸易"), ("cp1252", "Café")])
def test_other_encodings_are_refused_with_their_line_unless_named(tmp_path, capsys, encoding, name):
    path = write_csv(tmp_path, (GOOD + f"{name},2026-10-02,5,1\n").encode(encoding))
    assert run(tmp_path, path) == 2, "not UTF-8: refused"
    err = one_error(capsys)
    assert err.startswith(f"error: {path}, line 3, column customer: byte 0x"), f"line and column: {err!r}"
    assert "is not UTF-8" in err and "--encoding" in err, f"says what is read and what to do: {err!r}"
    assert run(tmp_path, path, "--encoding", encoding) == 0, "read when its encoding is named"
    assert customer_names(tmp_path / "report.xlsx") == ["Acme", name], "names decoded"


def test_utf16_without_bom_is_refused_with_the_encoding_to_give(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD.encode("utf-16-le"))
    assert run(tmp_path, path) == 2, "refused"
    assert "--encoding utf-16-le" in one_error(capsys), "says which encoding to give"
    assert run(tmp_path, path, "--encoding", "utf-16-le") == 0, "read when named"


def test_bytes_not_in_the_named_encoding_are_refused_with_their_line(tmp_path, capsys):
    path = write_csv(tmp_path, (GOOD + "Ромашка,2026-10-02,5,1\n").encode("cp1251"))
    assert run(tmp_path, path, "--encoding", "utf-8") == 2, "refused"
    assert "line 3, column customer: byte 0xd0 is not utf-8" in one_error(capsys), "line, column and byte"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--from", "0001-01-01"], "argument --from: 0001-01-01 is outside the dates read, 1900-01-01 to 2199-12-31"),
        (["--as-of", "1850-06-30"], "argument --as-of: 1850-06-30 is outside the dates read"),
        (["--as-of", "9999-12-31"], "argument --as-of: 9999-12-31 is outside the dates read"),
        (["--as-of", "2025-W10-1"], "argument --as-of: '2025-W10-1' is not a date written YYYY-MM-DD"),
        (["--from", "2026-11-01"], "the period starts on 2026-11-01, after it ends on 2026-10-31"),
        (["--margin", "-5"], "argument --margin: '-5' is not a margin ratio: give one between -1 and 1"),
        (["--margin", "30"], "give one between -1 and 1, such as 0.3 for 30 %"),
        (["--margin", "nan"], "argument --margin: 'nan' is not a margin ratio"),
        (["--lost-days", "0"], "argument --lost-days: '0' is not a number of days from 1 to 3650"),
        (["--lost-days", "-30"], "argument --lost-days: '-30' is not a number of days"),
        (["--lost-days", "99999999999999999999"], "is not a number of days from 1 to 3650"),
        (["--currency", 'E"UR'], "argument --currency: 'E\"UR' is not a currency"),
        (["--encoding", "klingon"], "argument --encoding: 'klingon' is not a text encoding"),
        (["--encoding", "base64"], "argument --encoding: 'base64' is not a text encoding"),
        (["--colour", "red"], "unrecognized arguments: --colour red"),
    ],
)
def test_bad_option_gets_one_line(tmp_path, capsys, options, says):
    path = write_csv(tmp_path, "customer,date,amount\nAcme,2026-10-01,100\n")
    assert run(tmp_path, path, *options) == 2, "the command refuses the option"
    err = one_error(capsys)
    assert says in err, f"the message says {says!r}: {err!r}"
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "nothing is written"


def test_margin_ratio_with_a_margin_column_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD)
    assert run(tmp_path, path, "--margin", "0.3") == 2, "two margins: refused rather than one silently dropped"
    assert f"{path}, line 1, column margin: the file has margins" in one_error(capsys), "names the column"


def test_missing_input_and_folder_as_input_are_refused(tmp_path, capsys):
    assert run(tmp_path, tmp_path / "missing.csv") == 2, "no such file"
    assert f"{tmp_path / 'missing.csv'}: no such file" in one_error(capsys), "says so"
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert run(tmp_path, folder) == 2, "a folder is not a CSV"
    assert "this is a folder; give the CSV file" in one_error(capsys), "says so"


def test_output_in_a_missing_folder_is_refused(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD)
    output = tmp_path / "nope" / "report.xlsx"
    assert run(tmp_path, path, output=output) == 2, "refused"
    assert f"the folder {tmp_path / 'nope'} does not exist" in one_error(capsys), "names the folder"
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "no folder or file created"


def test_folder_as_output_is_refused_and_left_empty(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD)
    folder = tmp_path / "out"
    folder.mkdir()
    assert run(tmp_path, path, output=folder) == 2, "refused"
    assert f"{folder}: this is a folder; give the workbook's file name" in one_error(capsys), "says what to give"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["out", path.name], "no temporary workbook beside"
    assert not list(folder.iterdir()), "nor inside the folder"


def test_csv_as_output_is_refused_and_kept(tmp_path, capsys):
    path = write_csv(tmp_path, GOOD)
    assert run(tmp_path, path, output=path) == 2, "refused"
    assert "this is the CSV file itself" in one_error(capsys), "says so"
    assert path.read_text() == GOOD, "the CSV is untouched"


def test_failed_write_leaves_neither_temporary_file_nor_a_changed_workbook(tmp_path, capsys, monkeypatch):
    path = write_csv(tmp_path, GOOD)
    output = tmp_path / "report.xlsx"
    output.write_bytes(b"last month's workbook")

    def refuse(_source, _target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert run(tmp_path, path, output=output) == 2, "the command fails"
    assert f"{output}: the workbook cannot be written: Permission denied" in one_error(capsys), "says why"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["report.xlsx", path.name], "temporary file removed"
    assert output.read_bytes() == b"last month's workbook", "the previous workbook is kept"


def test_sigterm_while_writing_leaves_no_file(tmp_path):
    path = write_csv(tmp_path, GOOD)
    output = tmp_path / "report.xlsx"
    # the child stops right before its rename, the temporary file written, and waits for the signal
    child = (
        "import os, sys, time\n"
        "import analytics.__main__ as command\n"
        "def wait(source, target):\n"
        "    print(source, flush=True)\n"
        "    time.sleep(60)\n"
        "os.replace = wait\n"
        f"sys.exit(command.main(['report', {str(path)!r}, '-o', {str(output)!r}, '--as-of', '2026-10-31']))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        temporary = pathlib.Path(process.stdout.readline().strip())
        assert temporary.parent == tmp_path and temporary.stat().st_size > 0, "a complete temporary file is waiting"
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM, f"exit code of a SIGTERM: {err!r}"
    assert err == "error: stopped (SIGTERM): no workbook written\n", "one line"
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name], "the temporary file is removed"
