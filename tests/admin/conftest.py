import pytest

from afrobiz.admin import settings


@pytest.fixture(autouse=True)
def fresh_settings_cache():
    """Each test rolls back, so a cached setting from another test must not leak in."""
    settings.clear_cache()
    yield
    settings.clear_cache()
