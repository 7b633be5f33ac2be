from . import sale_customer_base_export
from . import sale_customer_base_history_rebuild
