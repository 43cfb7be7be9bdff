from . import sale_order_schedule_import
