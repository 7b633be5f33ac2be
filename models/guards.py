"""Guards the records of the customer base share (issue 21).

Whatever the client (form, import, RPC), a person neither writes what Odoo works out, nor names
someone who may not work the record, nor stores a number or a date that would stop a later
computation. ``readonly`` and ``domain`` in a view are hints to the client only.
"""

import datetime

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import formatLang

from ..analytics.settings import in_range

EARLIEST_DATE = datetime.date(1900, 1, 1)
MAX_AMOUNT = 10**15  # company currency: no yearly revenue reaches it; NaN and infinity never do


def check_calculated_values(records, vals, fnames):
    """Refuse a person's change of the stored values ``fnames`` that Odoo sets itself (computes,
    reminders, the planning as superuser): ``readonly`` only hides them in forms. ``records`` are
    the records written, none for a new one; a value sent back unchanged is no change."""
    changed = [fname for fname in fnames if fname in vals and _changes(records, fname, vals[fname])]
    if changed:
        env = records.env
        raise UserError(
            env._(
                "These values are set by Odoo itself and cannot be set by hand: %(fields)s.",
                fields=", ".join(records._fields[fname]._description_string(env) for fname in changed),
            )
        )


def _changes(records, fname, value):
    """Whether writing ``value`` in ``fname`` changes one of ``records`` (for none: sets a value)."""
    field = records._fields[fname]
    try:
        new = field.convert_to_record(field.convert_to_cache(value, records), records)
    except (TypeError, ValueError, OverflowError):
        return True
    if not records:
        return bool(new)
    return any(record[fname] != new for record in records.sudo())


def check_people(records, fnames):
    """Refuse the users in ``fnames`` of ``records`` who are not active internal users with Sales
    rights in the record's company: the one definition of who may work a customer of a company,
    ``res.users._customer_base_unfit``."""
    env = records.env
    records = records.sudo()  # the record's company and people, whoever writes
    for fname in fnames:
        for company in records.company_id:
            users = records.filtered(lambda record, company=company: record.company_id == company)[fname]
            problem = users._customer_base_unfit_message(company)
            if problem:
                raise ValidationError(
                    env._(
                        "%(field)s must be an active salesperson of %(company)s. %(problem)s",
                        field=records._fields[fname]._description_string(env),
                        company=company.name,
                        problem=problem,
                    )
                )


def check_ranges(model, vals, numbers=None, dates=(), choices=None):
    """Refuse in ``vals`` a number outside its bounds (``numbers``: field -> (low, high); NaN and
    infinity neither), a date of ``dates`` before 1900, a value of ``choices`` (field -> selection)
    outside its selection; a choice given as a number of the scale becomes its key (in ``vals``).

    Checked before Odoo converts the values: NaN or infinity would stop the conversion with a
    technical error, and a day count of millions the next date computation with a date error.
    """
    env = model.env

    def label(fname):
        return model._fields[fname]._description_string(env)

    for fname, (low, high) in (numbers or {}).items():
        if fname not in vals:
            continue
        try:
            number = float(vals[fname] or 0)
        except (TypeError, ValueError):
            number = None
        if number is None or not in_range(number, low, high):
            raise ValidationError(
                env._(
                    "%(field)s must be a number from %(low)s to %(high)s, not %(value)s.",
                    field=label(fname),
                    low=formatLang(env, low, digits=0),
                    high=formatLang(env, high, digits=0),
                    value=vals[fname],
                )
            )
    for fname in dates:
        if not vals.get(fname):
            continue
        try:
            day = fields.Date.to_date(vals[fname])
        except (TypeError, ValueError):
            day = None
        if day is None or day < EARLIEST_DATE:
            raise ValidationError(
                env._(
                    "%(field)s must be a date from %(year)s on, not %(value)s.",
                    field=label(fname),
                    year=EARLIEST_DATE.year,
                    value=vals[fname],
                )
            )
    for fname, selection in (choices or {}).items():
        if vals.get(fname) in (None, False, ""):
            continue
        keys = [key for key, _label in selection]
        if str(vals[fname]) not in keys:
            raise ValidationError(
                env._(
                    "%(field)s must be one of %(choices)s, not %(value)s.",
                    field=label(fname),
                    choices=", ".join(keys),
                    value=vals[fname],
                )
            )
        vals[fname] = str(vals[fname])
