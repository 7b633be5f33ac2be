"""People map of a key account plan: who decides, who influences, who uses, and what they like.

Personal notes live in ``sale.customer.key.account.note``, whose record rules
let only the plan's manager, its sponsor and sales managers read them; the
contact shows the note through a computed field that reads it with the user's
rights, so nobody else gets it from a form, a list, an export or an RPC read.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .guards import check_calculated_values, check_ranges

ROLES = [
    ("decision_maker", "Decision Maker"),
    ("influencer", "Influencer"),
    ("user", "User"),
    ("gatekeeper", "Gatekeeper"),
    ("finance", "Finance"),
    ("other", "Other"),
]
ATTITUDES = [("champion", "Champion"), ("neutral", "Neutral"), ("opponent", "Opponent")]
LEVELS = [("owner", "Owner"), ("executive", "Executive"), ("manager", "Manager"), ("staff", "Staff")]


class SaleCustomerKeyAccountContact(models.Model):
    _name = "sale.customer.key.account.contact"
    _description = "Key Account People Map"
    _order = "plan_id, sequence, id"

    plan_id = fields.Many2one("sale.customer.key.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one("res.partner", "Contact", required=True, index=True, ondelete="cascade")
    # the person's own name: the contact's display name begins with the customer's, the same on every line
    contact_name = fields.Char("Name", related="partner_id.name")
    role = fields.Selection(ROLES, "Role in the Deal", required=True, default="user")
    attitude = fields.Selection(ATTITUDES, "Attitude Toward Us", default="neutral")
    level = fields.Selection(LEVELS)
    department = fields.Char()
    birthday = fields.Date()
    preferences = fields.Text("Tastes and Hobbies")
    personal_note = fields.Text(
        compute="_compute_personal_note",
        inverse="_inverse_personal_note",
        help="Read only by the plan's manager, its sponsor and sales managers.",
    )
    personal_note_allowed = fields.Boolean(compute="_compute_personal_note")
    birthday_reminded_year = fields.Integer(readonly=True, copy=False)

    @api.depends_context("uid")
    def _compute_personal_note(self):
        notes = {note.contact_id.id: note.note for note in self._personal_notes()}
        manager = self.env.user.has_group("sales_team.group_sale_manager")
        for contact in self:
            plan = contact.plan_id
            contact.personal_note = notes.get(contact.id, False)
            contact.personal_note_allowed = self.env.su or manager or self.env.user in plan.manager_id | plan.sponsor_id

    def _inverse_personal_note(self):
        notes = {note.contact_id.id: note for note in self._personal_notes()}
        Note = self.env["sale.customer.key.account.note"]
        for contact in self:
            if contact.id in notes:
                notes[contact.id].note = contact.personal_note
            elif contact.personal_note:
                Note.create({"contact_id": contact.id, "note": contact.personal_note})

    def _personal_notes(self):
        """The notes of these contacts the user may read (the record rules decide)."""
        ids = [contact_id for contact_id in self.ids if contact_id]
        return self.env["sale.customer.key.account.note"].search([("contact_id", "in", ids)]) if ids else []

    @api.constrains("partner_id", "plan_id")
    def _check_partner_id(self):
        for contact in self:
            if contact.partner_id.commercial_partner_id != contact.plan_id.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s does not work for %(customer)s: the people map lists the customer's own contacts.",
                        contact=contact.partner_id.display_name,
                        customer=contact.plan_id.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # a person added to a plan she does not manage is refused by the record rules, checked after a create
        for vals in vals_list:
            self._check_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_values(vals)
        # The record rules are checked before a write, on the plan the line leaves: moved to another
        # plan (its personal notes with it), it must go to a plan she may change too (the rules of
        # the people map are those of its plan).
        plan = self.env["sale.customer.key.account"].browse(vals.get("plan_id"))
        if "plan_id" in vals and not plan.has_access("write"):
            raise AccessError(
                self.env._(
                    "%(field)s: you may only move people onto a key account plan you manage.",
                    field=self._fields["plan_id"]._description_string(self.env),
                )
            )
        return super().write(vals)

    def _check_values(self, vals):
        check_ranges(self, vals, dates=("birthday",))
        if not self.env.su:
            check_calculated_values(self, vals, ("birthday_reminded_year",))

    @api.model
    def _remind_birthdays(self, company, today, ahead):
        """Birthdays between ``today`` and ``ahead`` become an activity for the plan's manager (once a year)."""
        contacts = self.search(
            [
                ("company_id", "=", company.id),
                ("birthday", "!=", False),
                ("plan_id.active", "=", True),
                ("plan_id.manager_id", "!=", False),
            ]
        )
        for contact in contacts:
            day = _next_birthday(contact.birthday, today)
            if day > ahead or contact.birthday_reminded_year == day.year:
                continue
            contact.plan_id.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=day,
                summary=self.env._("Birthday of %(contact)s", contact=contact.partner_id.name),
                user_id=contact.plan_id.manager_id.id,
            )
            contact.birthday_reminded_year = day.year


def _next_birthday(birthday, today):
    """The next day (today included) the birthday falls on; 29 February falls on 28 February in other years."""
    for year in (today.year, today.year + 1):
        try:
            day = birthday.replace(year=year)
        except ValueError:
            day = datetime.date(year, 2, 28)
        if day >= today:
            return day
    return day
