from . import test_tracking_reference
