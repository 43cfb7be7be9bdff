from . import account_invoice_report
from . import sale_consistency_check
from . import sale_demand_trend
from . import sale_product_mover
from . import sale_report
