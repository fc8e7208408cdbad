"""Absolute links for places with no request to build them from: e-mails, generated files."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) on the site's address,
    ``settings.ECOTONE_SITE_URL``."""
    return settings.ECOTONE_SITE_URL + path
