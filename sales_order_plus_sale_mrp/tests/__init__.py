from . import test_kit_schedule
