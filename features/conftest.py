"""Every scenario under features/ runs once per selected lab host (``--env``)."""

import pytest


@pytest.fixture(autouse=True)
def _on_each_lab_host(lab_host):
    """Pull the lab host into every scenario, so the plugin parametrises it per host."""
    return lab_host
