from . import sale_customer_worklist_mixin
from . import sale_customer_base_export
from . import sale_customer_base_history_rebuild
from . import sale_customer_campaign_update
from . import sale_customer_campaign_wizard
from . import sale_customer_campaign_wizard_line
from . import sale_customer_reactivation_wizard
from . import sale_customer_reactivation_wizard_line
