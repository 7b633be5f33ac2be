from . import sale_customer_base_report
from . import sale_customer_campaign_progress
from . import sale_customer_feedback_report
