"""The figures' words: every code the engine writes, with its English label, once.

The package writes codes (``at_risk``, ``elevated``, ``single_threaded``); the
workbook shows their labels, and the addon's ``fields.Selection`` lists hold
the same pairs: ``fields.Selection(list(STAGE_LABELS.items()))``. Each dict
is in the order people read it (the funnel, coldest to hottest, least to most
risk).

Labels the workbook translates itself (through ``WorkbookData.translate``)
are marked with :func:`_`, so that Odoo's translation export finds them in
the code; the others reach the workbook already translated by Odoo (its
selections), or are class letters that read the same in every language.
"""

# This package runs without Odoo: there is no env here, texts are translated
# by the caller through WorkbookData.translate.
# pylint: disable=prefer-env-translation


def _(text):
    """Mark ``text`` for translation; the workbook translates it with ``WorkbookData.translate``."""
    return text


# lifecycle stage (lifecycle.py), in funnel order
STAGE_LABELS = {
    "prospect": "Prospect",
    "new": "First Purchase",
    "repeat": "Repeat Customer",
    "regular": "Regular Customer",
    "loyal": "Loyal Customer",
    "advocate": "Advocate",
    "at_risk": "At Risk",
    "lost": "Lost Customer",
    "reactivated": "Reactivated",
}
# revenue class (segments.py): A makes the first 80 % of revenue, B the next 15 %, C the rest
ABC_CLASS_LABELS = {"a": "A", "b": "B", "c": "C"}
# regularity class (segments.py): X buys every month, Y at least every quarter, Z irregularly
XYZ_CLASS_LABELS = {"x": "X", "y": "Y", "z": "Z"}
# the two classes side by side, as the engine writes them ("AX")
ABC_XYZ_SEGMENT_LABELS = {
    abc + xyz: abc + xyz for abc in ABC_CLASS_LABELS.values() for xyz in XYZ_CLASS_LABELS.values()
}
# dependency risk (segments.py): how much of the revenue one customer makes
DEPENDENCY_RISK_LABELS = {"none": _("None"), "elevated": _("Elevated"), "high": _("High"), "critical": _("Critical")}
# temperature (temperature.py), coldest first
TEMPERATURE_LABELS = {"cold": "Cold", "cool": "Cool", "warm": "Warm", "hot": "Hot"}
# temperature alert (temperature.py): why an active customer is at risk before its orders stop
TEMPERATURE_ALERT_LABELS = {"complaint": "Complaint", "cooled": "Cooled down"}
# why a customer is at risk or lost (lifecycle.py, with_cause): the day rules, the model, or an alert
STAGE_CAUSE_LABELS = {"silence": "Silence", "probability": "Model probability", **TEMPERATURE_ALERT_LABELS}
# RFM segment (rfm.py)
RFM_SEGMENT_LABELS = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "potential_loyalists": _("Potential Loyalists"),
    "new": _("New"),
    "need_attention": _("Need Attention"),
    "about_to_sleep": _("About to Sleep"),
    "cannot_lose": _("Cannot Lose Them"),
    "at_risk": _("At Risk"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}
# what the LTV is (engine.py): the projection, or the margin earned so far and why
LTV_BASIS_LABELS = {
    "projected": _("Projected (S x C x P x T)"),
    "too_early": _("Too early to project: margin so far"),
    "lost": _("Lost: value realised"),
}
# channels a service rule plans (contacts.py), in the order a day's contacts rank
CONTACT_CHANNEL_LABELS = {"visit": "Visit", "call": "Call", "email": "Email"}
# a key account's people map (key_accounts.py)
KEY_ACCOUNT_COVERAGE_LABELS = {"covered": _("Covered"), "single_threaded": _("Single-threaded")}
# a prospect's readiness (readiness.py)
READINESS_LABELS = {"ready": "Ready", "push": "Needs a push", "not_now": "Not now"}
