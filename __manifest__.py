{
    "name": "Customer Base",
    "summary": "Lifecycle stage, ABC/XYZ segments, key accounts and lifetime value on every customer",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/sale-customer-base/sale_customer_base",
    "author": "sale_customer_base developers",
    "license": "LGPL-3",
    "depends": ["sale_management", "sale_margin"],
    "external_dependencies": {"python": ["pandas", "xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "security/sale_customer_base_security.xml",
        "data/ir_cron_data.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_customer_stage_history_views.xml",
    ],
    "demo": [
        "data/res_partner_demo.xml",
    ],
}
