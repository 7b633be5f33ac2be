from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_customer_base_demo
from . import sale_customer_base_history
from . import sale_customer_base_tag
from . import sale_customer_stage_history
from . import sale_order
