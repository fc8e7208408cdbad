import pytest


@pytest.fixture(autouse=True)
def search_home(search_home):
    """Every test here indexes records: each gets an index of its own (root conftest)."""
    return search_home
