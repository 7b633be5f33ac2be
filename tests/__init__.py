from . import test_customer_metrics
from . import test_customer_base_jobs
from . import test_customer_base_settings
from . import test_customer_base_reports
