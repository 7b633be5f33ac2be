"""18.0.2.0.0: empty the addon's inherited views before they are loaded again.

The partner's search view lost its group-bys on the figures (they are columns of
``sale.customer.metrics`` now, grouped in the *Customer Base* views); the old versions of
the views extending it still point at them, and Odoo checks the old extensions against the
new view before it reloads them. Emptied, each is rebuilt from the addon's files.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_ui_view AS v SET arch_db = jsonb_build_object('en_US', '<data/>')
          FROM ir_model_data AS d
         WHERE d.module = 'sale_customer_base' AND d.model = 'ir.ui.view' AND d.res_id = v.id
           AND v.inherit_id IS NOT NULL AND v.mode = 'extension'
        """
    )
