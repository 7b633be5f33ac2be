from . import sale_customer_base_demo
from . import sale_customer_feedback_demo
from . import sale_customer_contact_demo
