from . import test_sale_order_type
from . import test_access_matrix
from . import test_bad_input
