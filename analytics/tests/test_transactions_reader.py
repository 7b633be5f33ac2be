"""The CSV reader as people meet it: orders of 0 count as Odoo counts them, a spreadsheet or a
Windows-1252 file given as the CSV is named as such, and the help says what the file must be."""

import datetime
import io
import pathlib
import zipfile

import pytest
import xlsxwriter

from analytics.__main__ import main
from analytics.cli.transactions import TransactionsError, read_transactions
from analytics.prediction import fit_bgnbd, repeat_summary

CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
HEADER = "customer,date,amount,margin\n"
GOOD = HEADER + "Acme,2026-10-01,100,30\n"


def one_error(tmp_path, capsys, path, *options):
    """The single ``error:`` line of the report command on ``path``, after checking it wrote nothing."""
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31", *options]) == 2, "refused"
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and err.count("\n") == 1, f"one error line, no traceback: {err!r}"
    assert not output.exists(), "no workbook written"
    return err


def test_row_of_0_is_an_order_and_a_refund_still_nets_into_the_order_before(tmp_path):
    path = tmp_path / "transactions.csv"
    rows = ["Acme,2026-09-01,100,30", "Acme,2026-10-01,0,0", "Acme,2026-10-05,-20,-6", "Bolt,2026-10-02,0,0"]
    path.write_text(HEADER + "\n".join(rows) + "\n")
    orders, _has_margin = read_transactions(path, as_of=datetime.date(2026, 10, 31))
    got = [(row.partner_id, f"{row.date:%Y-%m-%d}", row.revenue, row.margin) for row in orders.itertuples()]
    assert got == [
        ("Acme", "2026-09-01", 100.0, 30.0),
        ("Acme", "2026-10-01", -20.0, -6.0),
        ("Bolt", "2026-10-02", 0.0, 0.0),
    ], "two orders of 0, each an order as in Odoo; the refund goes to the latest order before it, the one of 0"


def test_cdnow_read_as_a_csv_gives_the_published_bgnbd():
    # the eight purchases of 0.00 are purchases in the paper: dropping them moved r to 0.2439
    orders, _has_margin = read_transactions(CDNOW)
    summary = repeat_summary(orders, datetime.date(1997, 9, 30))
    assert len(summary) == 2357, f"the cohort's 2,357 customers, {len(summary)} read"
    fit = fit_bgnbd(summary)
    assert round(fit.params["r"], 4) == 0.2426, f"r = {fit.params['r']:.4f}, published 0.2426"
    assert round(fit.params["alpha"], 3) == 4.414, f"alpha = {fit.params['alpha']:.4f}, published 4.414"
    assert round(fit.ll, 1) == -9582.4, f"log-likelihood {fit.ll:.2f}, published -9582.4"


def excel_workbook():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet().write_row(0, 0, ["customer", "date", "amount"])
    workbook.close()
    return buffer.getvalue()


def zipped(**files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("transactions.xlsx", excel_workbook(), "this is an Excel workbook (.xlsx), not a CSV file"),
        # an .xlsx renamed .csv is the usual case: the bytes tell, not the name
        ("transactions.csv", excel_workbook(), "this is an Excel workbook (.xlsx), not a CSV file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "this is an Excel 97-2003 workbook (.xls)"),
        (
            "sheet.ods",
            zipped(mimetype="application/vnd.oasis.opendocument.spreadsheet", **{"content.xml": "<x/>"}),
            "this is an OpenDocument spreadsheet (.ods), not a CSV file",
        ),
    ],
    ids=["xlsx", "xlsx named csv", "xls", "ods"],
)
def test_spreadsheet_given_as_the_csv_is_named_as_one(tmp_path, capsys, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    err = one_error(tmp_path, capsys, path)
    assert says in err, f"names what the file is: {err!r}"
    assert "save it as CSV UTF-8 (comma-separated)" in err, f"says what to do: {err!r}"
    assert "UTF-8;" not in err and "byte 0x" not in err, f"no talk of encodings: {err!r}"


def test_zip_archive_is_named_as_one(tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_bytes(zipped(**{"transactions.csv": GOOD}))
    assert "this is a ZIP archive, not a CSV file: unpack it" in one_error(tmp_path, capsys, path)


@pytest.mark.parametrize(
    ("name", "encoding"), [("Müller GmbH", "cp1252"), ("Café Crème", "latin-1"), ("Ångström & Søn", "cp1252")]
)
def test_windows_1252_file_is_named_so_with_the_word_as_it_reads(tmp_path, capsys, name, encoding):
    path = tmp_path / "transactions.csv"
    path.write_bytes((GOOD + f"{name},2026-10-02,5,1\n").encode(encoding))
    err = one_error(tmp_path, capsys, path)
    assert f"{path}, line 3, column customer: byte 0x" in err, f"line and column: {err!r}"
    assert "the file looks saved as Windows-1252/Latin-1" in err, f"names the encoding: {err!r}"
    word = name.split()[0]
    assert f'reads "{word}"' in err, f"shows the word as that encoding reads it: {err!r}"
    assert "save it as CSV UTF-8" in err and "--encoding cp1252" in err, f"what to do: {err!r}"
    assert "cp1251" not in err, f"never an encoding that garbles it: {err!r}"
    output = tmp_path / "report.xlsx"
    assert main(["report", str(path), "-o", str(output), "--as-of", "2026-10-31", "--encoding", "cp1252"]) == 0


@pytest.mark.parametrize(
    ("content"),
    [
        (GOOD + "Ромашка,2026-10-02,5,1\n").encode("cp1251"),
        (GOOD + "Αθηνά Τρόφιμα,2026-10-02,5,1\n").encode("cp1253"),
        (GOOD + "北京贸易,2026-10-02,5,1\n").encode("gb18030"),
        # UTF-8 with one stray Windows-1252 byte: no one encoding reads it all
        (GOOD + "Café,2026-10-02,5,1\n").encode("utf-8") + "Müller,2026-10-03,5,1\n".encode("cp1252"),
    ],
    ids=["cyrillic", "greek", "chinese", "mixed"],
)
def test_other_files_not_utf8_get_no_guessed_encoding(tmp_path, capsys, content):
    path = tmp_path / "transactions.csv"
    path.write_bytes(content)
    err = one_error(tmp_path, capsys, path)
    assert "is not UTF-8" in err, f"what is wrong: {err!r}"
    assert "Windows-1252" not in err and "cp125" not in err, f"no encoding guessed that would garble it: {err!r}"
    assert "save the file as CSV UTF-8, or give the encoding it was saved in with --encoding" in err, err


def test_reader_refusal_is_the_package_error(tmp_path):
    path = tmp_path / "transactions.csv"
    path.write_bytes(excel_workbook())
    with pytest.raises(TransactionsError, match=r"Excel workbook \(\.xlsx\)"):
        read_transactions(path)


@pytest.mark.parametrize("command", ["report", "predict"])
def test_help_says_the_csv_is_comma_separated(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0, "help is no error"
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps its lines
    assert "CSV file, comma-separated, UTF-8" in out, f"says what the file must be: {out}"
