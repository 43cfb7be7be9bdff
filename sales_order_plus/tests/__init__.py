from . import test_sale_order_type
from . import test_order_management
from . import test_consistency_check
