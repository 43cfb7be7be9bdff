from . import sale_order_type
from . import sale_order
from . import stock_picking
from . import account_move
from . import sale_order_line
from . import account_move_line
from . import sale_consistency_notification
