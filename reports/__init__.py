from . import sale_customer_base_report
from . import sale_customer_feedback_report
from . import sale_customer_key_account_revenue
from . import sale_customer_key_account_manager
from . import sale_customer_activity_report
from . import sale_customer_contact_coverage
from . import sale_customer_offer_report
from . import sale_customer_base_workbook
