from django.conf import settings
from django.urls import translate_url


def site(request):
    """The language switch needs the current page's URL in every language."""
    path = request.get_full_path()
    return {
        "language_links": [
            (code, name, translate_url(path, code)) for code, name in settings.LANGUAGES
        ],
    }
