from . import test_sale_order_type
from . import test_kind_cash
from . import test_kind_rush
