import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

DEVICE = os.environ.get("TT_DEVICE", "emulator")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: the large shapes of the corpus (run in CI; -m 'not slow' skips them)")


@pytest.fixture(scope="session")
def device():
    return DEVICE
