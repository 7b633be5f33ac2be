"""Who may be given a company's customers: the one definition, used by every assignment."""

from odoo import models

SALESPERSON_GROUP = "sales_team.group_sale_salesman"


class ResUsers(models.Model):
    _inherit = "res.users"

    def _customer_base_unfit(self, company):
        """Those of these users who may not be given customers of ``company``, by reason: customers,
        their calls, visits, win-back attempts and campaign tasks go to active internal users with
        Sales rights who work for that company."""
        users = self.sudo()  # facts about colleagues, whoever asks
        archived = users.filtered(lambda user: not user.active)
        external = (users - archived).filtered("share")
        no_sales = (users - archived - external).filtered(lambda user: not user.has_group(SALESPERSON_GROUP))
        elsewhere = (users - archived - external - no_sales).filtered(lambda user: company not in user.company_ids)
        return {"archived": archived, "external": external, "no_sales": no_sales, "elsewhere": elsewhere}

    def _customer_base_fit(self, company):
        """Those of these users who may be given customers of ``company``."""
        users = self
        for unfit in self._customer_base_unfit(company).values():
            users -= unfit
        return users

    def _customer_base_unfit_message(self, company):
        """The message naming those of these users who may not be given customers of ``company``, or None."""
        unfit = {
            reason: ", ".join(found.mapped("name")) for reason, found in self._customer_base_unfit(company).items()
        }
        messages = [
            unfit["archived"] and self.env._("These users are archived: %(users)s.", users=unfit["archived"]),
            unfit["external"]
            and self.env._("These users are portal or public users: %(users)s.", users=unfit["external"]),
            unfit["no_sales"] and self.env._("These users have no Sales rights: %(users)s.", users=unfit["no_sales"]),
            unfit["elsewhere"]
            and self.env._(
                "These users do not work for %(company)s: %(users)s.", company=company.name, users=unfit["elsewhere"]
            ),
        ]
        return " ".join(message for message in messages if message) or None
