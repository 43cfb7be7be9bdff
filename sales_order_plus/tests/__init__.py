from . import test_sale_order_type
from . import test_kind_third_party
from . import test_kind_schedule
from . import test_kind_schedule_release
from . import test_kind_schedule_tour
from . import test_order_management
from . import test_consistency_check
