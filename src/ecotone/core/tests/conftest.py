import pytest


@pytest.fixture
def file_cache(settings, tmp_path, search_home):
    """What ``ecotone serve`` uses, in a folder of this test's own; yields the folder."""
    settings.CACHES = {
        "default": {
            "BACKEND": "ecotone.core.cache_backends.FileCache",
            "LOCATION": str(tmp_path / "django-cache"),
        }
    }
    yield tmp_path / "django-cache"
