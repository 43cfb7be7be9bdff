from . import sale_order_schedule_import
from . import sale_third_party_shipment_import
