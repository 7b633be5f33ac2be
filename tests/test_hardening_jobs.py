"""Hardening, round 3 (issue 21): every job survives a concurrent order."""

import datetime
import logging
import time
from types import SimpleNamespace as Namespace
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import SQL

from ..models import sale_customer_base_engine
from .common import CustomerBaseCommon

LOGGER = "odoo.addons.sale_customer_base.models.sale_customer_contact_engine"
LOCK_TIMEOUT = 5  # seconds a transaction may wait for a lock before it gives up
WAITED = 3  # seconds from which a transaction counts as having waited for the other


@tagged("post_install", "-at_install")
class TestPlanningConcurrency(CustomerBaseCommon):
    """Two real transactions: the contact planning of the main company, and the salesperson of one of its
    customers confirming an order or marking a contact done."""

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            # the main company: a company created and committed here could not be removed cleanly
            self.company_id = env.ref("base.main_company").id
            env = env(context=dict(env.context, allowed_company_ids=[self.company_id]))
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_activity")
            self.last_activity_id = cr.fetchone()[0]
            self.admin_id = env.ref("base.user_admin").id
            product = env["product.product"].create({"name": "Planning Product", "list_price": 10.0})
            partner = env["res.partner"].create(
                {"name": "Planning Customer", "is_company": True, "user_id": self.admin_id}
            )
            self.product_id, self.partner_id = product.id, partner.id
            self.today = fields.Date.context_today(partner)
            # last heard from by an order 100 days ago: due under every rule of the company
            self._order(env, state="sale", date_order=fields.Datetime.now() - datetime.timedelta(days=100))
            # a next contact due date stored the night before: the planning rewrites the customer's row
            cr.execute(
                SQL(
                    "UPDATE sale_customer_metrics SET next_contact_date = '2000-01-01' "
                    "WHERE company_id = %s AND partner_id = %s",
                    self.company_id,
                    self.partner_id,
                )
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._drop_committed_records)

    def _order(self, env, **values):
        return env["sale.order"].create(
            {
                "partner_id": self.partner_id,
                "company_id": self.company_id,
                "order_line": [Command.create({"product_id": self.product_id, "price_unit": 10.0, "tax_id": False})],
                **values,
            }
        )

    def _drop_committed_records(self):
        with db_connect(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            # the activities of these tests: planned (on the demo customers too), done, follow-ups of the orders
            env["mail.activity"].search([("id", ">", self.last_activity_id)]).unlink()
            env["sale.customer.base.refresh"].search([("company_id", "=", self.company_id)]).unlink()
            orders = env["sale.order"].search([("partner_id", "=", self.partner_id)])
            orders._action_cancel()
            orders.unlink()
            env["sale.customer.stage.history"].search([("partner_id", "=", self.partner_id)]).unlink()
            env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", self.partner_id)]).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env["product.product"].browse(self.product_id).product_tmpl_id.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _env(self, cr, uid=SUPERUSER_ID):
        return api.Environment(cr, uid, {"tracking_disable": True, "allowed_company_ids": [self.company_id]})

    def _salesperson_env(self, cr):
        """The customer's salesperson, confirming her orders and doing her contacts herself."""
        return self._env(cr, self.admin_id)

    def _plan(self, env):
        """The planning of the main company in this transaction (the job's own, in production)."""
        company = env["res.company"].browse(self.company_id)
        return env["sale.customer.contact.engine"].sudo().with_company(company)._plan_company(company)

    def _customer(self, env):
        return env["res.partner"].with_company(self.company_id).browse(self.partner_id)

    def _queued(self, env):
        return env["sale.customer.base.refresh"].search_count([("partner_id", "=", self.partner_id)])

    def _as_in_production(self):
        """Jobs run in the caller's transaction in tests: here, in their own, as at night."""
        return patch.object(sale_customer_base_engine, "module", Namespace(current_test=False))

    def test_contact_made_while_the_planning_holds_the_rows_is_queued_not_waited_for(self):
        with db_connect(self.dbname).cursor() as cr:
            customer = self._customer(self._env(cr)).with_context(mail_activity_quick_update=True)
            activity_id = customer.activity_schedule("mail.mail_activity_data_todo", user_id=self.admin_id).id
            cr.commit()  # pylint: disable=invalid-commit
        with db_connect(self.dbname).cursor() as planning_cr, db_connect(self.dbname).cursor() as contact_cr:
            planning_cr.connection.set_isolation_level(1)  # READ COMMITTED, as the nightly job
            self._plan(self._env(planning_cr))  # rows locked and written, not committed
            contact_cr.execute(SQL("SET lock_timeout = %s", f"{LOCK_TIMEOUT}s"))
            started = time.monotonic()
            self._salesperson_env(contact_cr)["mail.activity"].browse(activity_id).action_feedback(feedback="Done")
            waited = time.monotonic() - started
            queued = self._queued(self._env(contact_cr))
            contact_cr.commit()  # pylint: disable=invalid-commit
            planning_cr.commit()  # pylint: disable=invalid-commit
        self.assertLess(waited, WAITED, "marking the contact done did not wait for the planning")
        self.assertEqual(queued, 1, "the customer waits for a refresh")
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            env["sale.customer.base.engine"]._refresh_deferred()
            self.assertEqual(self._customer(env).last_contact_date, self.today, "the contact counts once refreshed")
            self.assertEqual(self._queued(env), 0, "nobody waits any more")
            cr.commit()  # pylint: disable=invalid-commit

    def test_planning_does_not_wait_for_an_order_being_confirmed(self):
        # an order's confirmation only queues its customer (the refresh job does the rest): it holds
        # no customer row, so the planning neither waits for it nor skips the customer
        with db_connect(self.dbname).cursor() as planning_cr, db_connect(self.dbname).cursor() as order_cr:
            self._order(self._salesperson_env(order_cr)).action_confirm()
            planning_cr.connection.set_isolation_level(1)
            planning_cr.execute(SQL("SET lock_timeout = %s", f"{LOCK_TIMEOUT}s"))
            started = time.monotonic()
            self._plan(self._env(planning_cr))
            waited = time.monotonic() - started
            order_cr.commit()  # pylint: disable=invalid-commit
            planning_cr.commit()  # pylint: disable=invalid-commit
        self.assertLess(waited, WAITED, "the planning did not wait for the order")
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            self.assertEqual(self._queued(env), 1, "the order's customer waits for the refresh job")
            env["sale.customer.base.engine"]._refresh_deferred()
            customer = self._customer(env)
            self.assertEqual(
                (customer.last_contact_date, customer.last_contact_channel),
                (self.today, "order"),
                "the job gives it the order as its last contact",
            )
            self.assertEqual(self._queued(env), 0, "refreshed")
            cr.commit()  # pylint: disable=invalid-commit

    def test_order_confirmed_during_the_nightly_planning_neither_waits_nor_is_left_behind(self):
        Engine = type(self.env["sale.customer.contact.engine"])
        assignees = Engine._assignees
        waits = []

        def confirm_then_assign(engine, company, due):
            # the planning has written the customers' rows: a salesperson confirms an order now
            if not waits:
                with db_connect(self.dbname).cursor() as order_cr:
                    order_cr.execute(SQL("SET lock_timeout = %s", f"{LOCK_TIMEOUT}s"))
                    started = time.monotonic()
                    self._order(self._salesperson_env(order_cr)).action_confirm()
                    waits.append(time.monotonic() - started)
                    order_cr.commit()  # pylint: disable=invalid-commit
            return assignees(engine, company, due)

        with db_connect(self.dbname).cursor() as cron_cr:
            with (
                self._as_in_production(),
                patch.object(Engine, "_assignees", confirm_then_assign),
                self.assertLogs(LOGGER, logging.INFO) as logs,
            ):
                self._env(cron_cr)["sale.customer.contact.engine"]._cron_plan_contacts()
            cron_cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(len(waits), 1, "an order was confirmed during the planning")
        self.assertLess(waits[0], WAITED, "the confirmation did not wait for the planning")
        self.assertFalse([line for line in logs.output if "could not be planned" in line], "no company failed")
        with db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            customer = self._customer(env)
            self.assertEqual(
                (customer.last_contact_date, customer.last_contact_channel),
                (self.today, "order"),
                "the order confirmed during the planning counts as soon as the company is planned",
            )
            self.assertEqual(self._queued(env), 0, "nobody waits for the hourly refresh")

    def test_nightly_planning_after_an_order_committed_during_its_transaction_does_not_fail(self):
        with db_connect(self.dbname).cursor() as cron_cr, db_connect(self.dbname).cursor() as order_cr:
            cron_cr.execute("SELECT 1")  # the job's transaction has begun: repeatable read, as every cron's
            # the confirmation refreshes the customer's row and commits first
            self._order(self._salesperson_env(order_cr)).action_confirm()
            order_cr.commit()  # pylint: disable=invalid-commit
            with self._as_in_production(), self.assertLogs(LOGGER, logging.INFO) as logs:
                self._env(cron_cr)["sale.customer.contact.engine"]._cron_plan_contacts()
            cron_cr.commit()  # pylint: disable=invalid-commit
        self.assertFalse([line for line in logs.output if "could not be planned" in line], "no company failed")
        self.assertTrue([line for line in logs.output if "planned:" in line], "the main company was planned")
        with db_connect(self.dbname).cursor() as cr:
            customer = self._customer(self._env(cr))
            self.assertEqual(
                (customer.last_contact_date, customer.last_contact_channel),
                (self.today, "order"),
                "the planning saw the order",
            )
