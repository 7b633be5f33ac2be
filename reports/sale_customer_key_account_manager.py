"""Key accounts per manager and company, against the company's limit (only key accounts count)."""

from odoo import fields, models
from odoo.tools import SQL


class SaleCustomerKeyAccountManager(models.Model):
    _name = "sale.customer.key.account.manager"
    _description = "Key Accounts per Manager"
    _auto = False
    _order = "key_account_count desc, manager_id"
    _rec_name = "manager_id"
    _depends = {
        "sale.customer.key.account": ["manager_id", "company_id", "is_key_account", "active", "coverage"],
        "res.company": ["customer_base_max_key_accounts"],
    }

    manager_id = fields.Many2one("res.users", "Key Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    key_account_count = fields.Integer("Key Accounts", readonly=True)
    plan_count = fields.Integer("Plans", readonly=True, help="Active plans, key accounts or kept by hand.")
    single_threaded_count = fields.Integer("Single-Threaded", readonly=True)
    max_key_accounts = fields.Integer("Allowed", readonly=True, aggregator="max")
    over_limit = fields.Boolean("Over the Limit", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT min(ka.id) AS id,
                   ka.manager_id,
                   ka.company_id,
                   COALESCE(min(k.key_account_count), 0) AS key_account_count,
                   count(*) AS plan_count,
                   count(*) FILTER (WHERE ka.coverage = 'single_threaded') AS single_threaded_count,
                   c.customer_base_max_key_accounts AS max_key_accounts,
                   COALESCE(min(k.key_account_count), 0) > c.customer_base_max_key_accounts AS over_limit
              FROM sale_customer_key_account AS ka
              JOIN res_company AS c ON c.id = ka.company_id
              LEFT JOIN (%s) AS k ON k.company_id = ka.company_id AND k.manager_id = ka.manager_id
             WHERE ka.active AND ka.manager_id IS NOT NULL
             GROUP BY ka.manager_id, ka.company_id, c.customer_base_max_key_accounts
            """,
            self.env["sale.customer.key.account"]._key_accounts_per_manager_sql(),
        )
