"""The Forecast sheet, only with a calibration date: the prediction fitted up to that day, checked on the
purchases after it (:func:`..prediction.holdout_check`)."""

from ..vocabulary import _

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation

FORECAST_HEADERS = [
    (_("Repeat purchases in calibration"), "calibration_purchases", "text"),
    (_("Customers"), "customers", "int"),
    (_("Actual purchases in holdout"), "actual", "int"),
    (_("Predicted, BG/NBD"), "bgnbd", "number"),
    (_("Predicted, MBG/NBD"), "mbgnbd", "number"),
    (_("Actual per customer"), "actual_mean", "number"),
    (_("BG/NBD per customer"), "bgnbd_mean", "number"),
    (_("MBG/NBD per customer"), "mbgnbd_mean", "number"),
]
MODEL_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "gamma_gamma": "Gamma-Gamma"}


def write_forecast(writer):
    """The holdout check: the models fitted up to the calibration date against the purchases after it."""
    forecast = writer.data.forecast
    sheet = writer.add_sheet("forecast")
    sheet.write_string(0, 0, writer.tr(_("Forecast check")), writer.formats["title"])
    lines = [
        writer.tr(
            _("Models fitted on the orders up to %(calibration)s, checked on the purchases after it, up to %(end)s."),
            calibration=forecast["calibration_end"].isoformat(),
            end=forecast["holdout_end"].isoformat(),
        )
    ]
    for model, fit in forecast.get("fits", {}).items():
        label = MODEL_NAMES.get(model, model)
        if fit.get("fitted") is False:
            lines.append(f"{label}: {writer.tr(_('no fit'))}: {fit.get('reason', '')}")
        else:
            params = ", ".join(
                f"{name} = {value:.4g}" for name, value in fit.items() if name not in ("ll", "customers")
            )
            lines.append(f"{label}: {params}; log-likelihood {fit['ll']:.2f}")
    for row, line in enumerate(lines, start=1):
        sheet.write_string(row, 0, line)
    table = forecast["table"].reset_index()
    writer.table(sheet, len(lines) + 2, FORECAST_HEADERS, table[[column for _h, column, _k in FORECAST_HEADERS]])
