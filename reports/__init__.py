from . import sale_customer_base_report
