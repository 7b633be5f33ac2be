"""Readiness of a prospect on the opportunity: need, budget, urgency (see :mod:`..analytics.readiness`).

The three answers decide the readiness; the readiness proposes the next step
(an activity with a note of what to do), and the prospect's temperature at
the first contact.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..analytics.readiness import READINESS_TEMPERATURE, readiness
from ..analytics.vocabulary import READINESS_LABELS, TEMPERATURE_LABELS
from .guards import check_calculated_values, check_ranges

ANSWERS = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]
READINESS = list(READINESS_LABELS.items())
TEMPERATURES = list(TEMPERATURE_LABELS.items())
OUTCOMES = [("open", "Open"), ("won", "Won"), ("lost", "Lost")]
PUSH_DEADLINE_DAYS = 14  # days a time-limited offer stays open
READY_DEADLINE_DAYS = 1  # days: the offer goes out now
# worked out from the three answers and from the opportunity's stage
CALCULATED_FIELDS = ("readiness", "readiness_temperature", "readiness_outcome")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    readiness_need = fields.Selection(ANSWERS, "Need", tracking=True, help="Does the prospect need what we sell?")
    readiness_need_note = fields.Char("Need: Note")
    readiness_budget = fields.Selection(ANSWERS, "Budget", tracking=True, help="Does it have the money for it?")
    readiness_budget_note = fields.Char("Budget: Note")
    readiness_urgency = fields.Selection(ANSWERS, "Urgency", tracking=True, help="Does it need it now?")
    readiness_urgency_note = fields.Char("Urgency: Note")
    readiness = fields.Selection(
        READINESS,
        compute="_compute_readiness",
        store=True,
        tracking=True,
        help="Ready: need, budget and urgency, make the offer now. Needs a push: a need, but the money or the "
        "urgency is missing: a time-limited offer or prepayment terms, and stay in touch. Not now: no need: "
        "record why and come back later.",
    )
    readiness_temperature = fields.Selection(
        TEMPERATURES,
        "Temperature at First Contact",
        compute="_compute_readiness",
        store=True,
        help="Ready is hot, needs a push warm, not now cold.",
    )
    readiness_reason_id = fields.Many2one(
        "sale.customer.readiness.reason", "Not Now Because", tracking=True, ondelete="restrict"
    )
    readiness_revisit_date = fields.Date("Come Back On", tracking=True)
    readiness_outcome = fields.Selection(
        OUTCOMES, "Outcome", compute="_compute_readiness_outcome", store=True, help="Open, won or lost."
    )

    @api.depends("readiness_need", "readiness_budget", "readiness_urgency")
    def _compute_readiness(self):
        for lead in self:
            lead.readiness = readiness(lead.readiness_need, lead.readiness_budget, lead.readiness_urgency)
            lead.readiness_temperature = READINESS_TEMPERATURE.get(lead.readiness)

    @api.depends("active", "probability", "stage_id.is_won")
    def _compute_readiness_outcome(self):
        for lead in self:
            if lead.stage_id.is_won and lead.active:
                lead.readiness_outcome = "won"
            elif not lead.active and not lead.probability:
                lead.readiness_outcome = "lost"
            else:
                lead.readiness_outcome = "open"

    # on the answers: a constraint on the computed readiness would not run when they change
    @api.constrains("readiness_need", "readiness_budget", "readiness_urgency", "readiness_reason_id")
    def _check_readiness_reason(self):
        for lead in self:
            if lead.readiness == "not_now" and not lead.readiness_reason_id:
                raise ValidationError(
                    self.env._(
                        "%(lead)s has no need now: choose why in “Not Now Because”, so that the next "
                        "salesperson knows when to come back.",
                        lead=lead.name,
                    )
                )

    @api.onchange("readiness_reason_id")
    def _onchange_readiness_reason_id(self):
        if self.readiness_reason_id and not self.readiness_revisit_date:
            months = self.readiness_reason_id.revisit_months
            self.readiness_revisit_date = fields.Date.context_today(self) + relativedelta(months=months)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_readiness_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_readiness_values(vals)
        return super().write(vals)

    def _check_readiness_values(self, vals):
        check_ranges(self, vals, dates=("readiness_revisit_date",))
        if not self.env.su:
            check_calculated_values(self, vals, CALCULATED_FIELDS)

    def _readiness_next_step(self):
        """(summary, note, deadline) of the next step the readiness proposes."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.readiness == "ready":
            return (
                self.env._("Make the offer now"),
                self.env._("Need, budget and urgency are there: send the offer today and agree on the order date."),
                today + relativedelta(days=READY_DEADLINE_DAYS),
            )
        if self.readiness == "push":
            missing = [
                label
                for answer, label in (
                    (self.readiness_budget, self.env._("budget")),
                    (self.readiness_urgency, self.env._("urgency")),
                )
                if answer != "yes"
            ]
            return (
                self.env._("Time-limited offer"),
                self.env._(
                    "The need is there, not yet the %(missing)s: make an offer valid %(days)s days, propose "
                    "prepayment or instalment terms, and stay in touch until it is ready.",
                    missing=self.env._(" and ").join(missing),
                    days=PUSH_DEADLINE_DAYS,
                ),
                today + relativedelta(days=PUSH_DEADLINE_DAYS),
            )
        return (
            self.env._("Come back to the prospect"),
            self.env._(
                "No need when we last spoke (%(reason)s). Ask again whether the situation has changed.",
                reason=self.readiness_reason_id.name or "",
            ),
            self.readiness_revisit_date or today + relativedelta(months=self.readiness_reason_id.revisit_months or 6),
        )

    def _unanswered_readiness(self):
        """The readiness questions still unanswered on this opportunity, by their labels."""
        self.ensure_one()
        questions = ("readiness_need", "readiness_budget", "readiness_urgency")
        return ", ".join(self._fields[fname]._description_string(self.env) for fname in questions if not self[fname])

    def action_plan_readiness_step(self):
        """Schedule, on each opportunity, the next step its readiness proposes, for its salesperson."""
        unanswered = self.filtered(lambda lead: not lead.readiness)
        if unanswered:
            raise UserError(
                self.env._(
                    "Answer the three questions (need, budget, urgency) on the Readiness tab before planning "
                    "the next step. Still unanswered: %(missing)s.",
                    missing="; ".join(f"{lead.name} ({lead._unanswered_readiness()})" for lead in unanswered),
                )
            )
        todo = self.env.ref("mail.mail_activity_data_todo")
        for lead in self:
            summary, note, deadline = lead._readiness_next_step()
            lead.activity_schedule(
                activity_type_id=todo.id,
                summary=summary,
                note=note,
                date_deadline=deadline,
                user_id=lead.user_id.id or self.env.uid,
            )
        return True
