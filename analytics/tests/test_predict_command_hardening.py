"""The ``predict`` command keeps the one-line rule: nothing on stderr but one ``error:`` line, and only on failure.

Amounts of any size fit without a numpy warning, the order count belongs to
the period fitted, a reader that stops reading ends the command quietly, and
each model is fitted once on the calibration period.
"""

import csv
import datetime
import json
import os
import pathlib
import subprocess
import sys

import pytest

from analytics import prediction
from analytics.__main__ import main
from analytics.cli.transactions import read_transactions

ROOT = pathlib.Path(__file__).resolve().parents[2]  # holds the analytics package
CDNOW = pathlib.Path(__file__).resolve().parent / "data" / "cdnow_sample.csv"
CALIBRATION_END = datetime.date(1997, 9, 30)


def command(*args):
    """Run ``python -m analytics`` as a user does; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rescaled_cdnow(tmp_path, factor):
    """The CDNOW sample with every amount multiplied by ``factor``."""
    path = tmp_path / "cdnow_rescaled.csv"
    with CDNOW.open(newline="") as source, path.open("w", newline="") as target:
        rows = csv.reader(source)
        writer = csv.writer(target)
        writer.writerow(next(rows))
        for customer, day, amount in rows:
            writer.writerow([customer, day, f"{float(amount) * factor:.6g}"])
    return path


@pytest.fixture(scope="module")
def cdnow_summary():
    """The calibration summary of the CDNOW sample as the command reads it."""
    orders, _has_margin = read_transactions(str(CDNOW))
    return prediction.repeat_summary(orders, CALIBRATION_END)


@pytest.mark.parametrize(
    "factor",
    [
        pytest.param(1e-200, id="tiny amounts whose squares underflow"),
        pytest.param(1e12, id="huge amounts, the largest near 10**15"),
    ],
)
def test_predict_fits_tiny_or_huge_amounts_without_a_warning(tmp_path, cdnow_summary, factor):
    in_dollars = prediction.fit_gamma_gamma(cdnow_summary).params
    path = rescaled_cdnow(tmp_path, factor)
    process = command("predict", str(path), "--calibration-end", CALIBRATION_END.isoformat(), "--json")
    assert process.returncode == 0, f"the command succeeds: {process.stderr!r}"
    assert process.stderr == "", f"nothing on stderr, no numpy warning: {process.stderr!r}"
    spend = json.loads(process.stdout)["gamma_gamma"]
    assert "reason" not in spend, f"the spend model fits in any currency unit: {spend}"
    for name in ("p", "q"):
        assert spend[name] == pytest.approx(in_dollars[name], rel=1e-3), f"{name} has no unit: {spend}"
    assert spend["gamma"] == pytest.approx(in_dollars["gamma"] * factor, rel=1e-3), f"gamma in the unit: {spend}"


def test_spend_correlation_does_not_depend_on_the_currency_unit(cdnow_summary):
    tiny = cdnow_summary.assign(monetary=cdnow_summary["monetary"] * 1e-200)
    in_dollars = prediction.spend_correlation(cdnow_summary)
    assert prediction.spend_correlation(tiny) == pytest.approx(in_dollars, abs=1e-9), "same correlation, any unit"


def write_small_csv(tmp_path):
    """Two customers, three orders up to 2024-02-01 and two after it."""
    path = tmp_path / "small.csv"
    path.write_text(
        "customer,date,amount\n"
        "Acme,2024-01-01,10\n"
        "Bolt,2024-01-15,5\n"
        "Acme,2024-02-01,10\n"
        "Bolt,2024-03-01,5\n"
        "Acme,2024-03-05,7\n",
        encoding="utf-8",
    )
    return path


def test_predict_text_counts_the_orders_up_to_the_calibration_end(tmp_path, capsys):
    assert main(["predict", str(write_small_csv(tmp_path)), "--calibration-end", "2024-02-01"]) == 0, "succeeds"
    first_line = capsys.readouterr().out.splitlines()[0]
    assert "3 orders up to 2024-02-01" in first_line, f"the orders of the calibration period: {first_line!r}"


def test_predict_json_counts_the_orders_up_to_the_calibration_end(tmp_path, capsys):
    assert main(["predict", str(write_small_csv(tmp_path)), "--calibration-end", "2024-02-01", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["orders"] == 3, f"the orders of the calibration period: {result['orders']}"


def test_predict_without_calibration_end_counts_every_order(tmp_path, capsys):
    assert main(["predict", str(write_small_csv(tmp_path))]) == 0, "succeeds"
    first_line = capsys.readouterr().out.splitlines()[0]
    assert "5 orders up to 2024-03-05" in first_line, f"every order of the file: {first_line!r}"


def test_holdout_without_a_model_predicts_nothing_rather_than_zero(tmp_path, capsys):
    assert main(["predict", str(write_small_csv(tmp_path)), "--calibration-end", "2024-02-01", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["holdout"]["rows"]
    assert [row["bgnbd"] for row in rows] == [None] * len(rows), f"no BG/NBD fit, no prediction: {rows}"
    assert [row["mbgnbd_mean"] for row in rows] == [None] * len(rows), f"no MBG/NBD fit, no prediction: {rows}"


@pytest.mark.parametrize("name", ["predict", "report"])
def test_command_writing_into_a_closed_pipe_ends_quietly(tmp_path, name):
    path = write_small_csv(tmp_path)
    args = ["predict", str(path)]
    if name == "report":
        args = ["report", str(path), "-o", str(tmp_path / "report.xlsx"), "--as-of", "2024-03-31"]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command prints, as ``| head -n 1`` after its line
    try:
        process = subprocess.run(
            [sys.executable, "-m", "analytics", *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert process.stderr == "", f"no BrokenPipeError, no 'Exception ignored': {process.stderr!r}"
    assert process.returncode == 0, f"the reader had what it wanted: exit code {process.returncode}"


def test_predict_with_calibration_end_fits_each_model_once(monkeypatch, capsys):
    fits = []
    fit_bgnbd, fit_gamma_gamma = prediction.fit_bgnbd, prediction.fit_gamma_gamma

    def counted_bgnbd(summary, modified=False):
        fits.append("mbgnbd" if modified else "bgnbd")
        return fit_bgnbd(summary, modified=modified)

    def counted_gamma_gamma(summary):
        fits.append("gamma_gamma")
        return fit_gamma_gamma(summary)

    monkeypatch.setattr(prediction, "fit_bgnbd", counted_bgnbd)
    monkeypatch.setattr(prediction, "fit_gamma_gamma", counted_gamma_gamma)
    assert main(["predict", str(CDNOW), "--calibration-end", CALIBRATION_END.isoformat(), "--json"]) == 0
    assert sorted(fits) == ["bgnbd", "gamma_gamma", "mbgnbd"], f"one fit per model: {fits}"
    result = json.loads(capsys.readouterr().out)
    total = result["holdout"]["rows"][-1]
    assert total["bgnbd"] == pytest.approx(1882, rel=0.15), f"the holdout uses the fit reported: {total}"
