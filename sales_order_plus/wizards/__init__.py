from . import sale_order_schedule_import
from . import sale_order_schedule_import_agreement
from . import sale_cash_handover
from . import sale_cash_handover_line
from . import sale_cash_handover_payment
from . import sale_cash_refund
from . import sale_cash_refund_line
from . import sale_third_party_shipment_import
