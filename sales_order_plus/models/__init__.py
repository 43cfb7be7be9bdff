from . import sale_order_type
from . import sale_order
from . import stock_picking
from . import account_move
from . import sale_order_schedule_line
from . import kind_schedule
