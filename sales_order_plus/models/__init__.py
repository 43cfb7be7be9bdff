from . import sale_order_type
from . import sale_order
from . import stock_picking
from . import account_move
from . import kind_cash
from . import kind_rush
