from . import sale_order_schedule_import
from . import sale_order_schedule_import_agreement
