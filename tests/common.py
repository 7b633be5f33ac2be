import datetime

from odoo import Command, fields
from odoo.tests import TransactionCase


class CustomerBaseCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a company of its own, so that demo orders do not enter the rankings
        cls.company = cls.env["res.company"].create({"name": "Customer Base Test Company"})
        cls.env.user.company_ids |= cls.company
        # the figures after an order are the refresh job's work (tests/test_order_entry.py runs it);
        # here they are refreshed at once, in the test's transaction
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                allowed_company_ids=[cls.company.id],
                customer_base_refresh_now=True,
            )
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Consulting Day", "type": "service", "list_price": 100.0, "standard_price": 75.0}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Acme Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Acme Buyer", "parent_id": cls.customer.id})
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})

    def _queries(self, function):
        """The statements ``function`` sends to the database, its writes flushed (for cost tests)."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        function()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    @classmethod
    def order(cls, partner, day, amount, state="sale", company=None, pricelist=None, cost=None):
        """An order of ``amount`` (untaxed, order currency) dated ``day`` (a date)."""
        company = company or cls.company
        line = {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": amount, "tax_id": False}
        if cost is not None:
            line["purchase_price"] = cost
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "date_order": fields.Datetime.to_datetime(day) + datetime.timedelta(hours=10),
            "state": state,
            "order_line": [Command.create(line)],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].with_company(company).create(vals)
