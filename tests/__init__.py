from . import test_customer_metrics
from . import test_customer_base_jobs
from . import test_customer_base_settings
from . import test_customer_base_reports
from . import test_customer_winback
from . import test_customer_campaign
from . import test_security_wizards
