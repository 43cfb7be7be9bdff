from . import sale_order_type
from . import sale_order
from . import stock_picking
from . import account_move
from . import sale_third_party_rule
from . import kind_third_party
from . import sale_order_schedule_line
from . import kind_schedule
