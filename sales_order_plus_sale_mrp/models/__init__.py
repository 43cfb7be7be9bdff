from . import sale_order_line
from . import sale_order_schedule_line
