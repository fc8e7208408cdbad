from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("", include("ecotone.core.urls")),
    path("accounts/", include("ecotone.accounts.urls")),
    path("search/", include("ecotone.search.urls")),
    path("ask/", include("ecotone.assistant.urls")),
    # before the catalogue: its "<plural>/" pattern would claim "introductions/" and the rest
    path("", include("ecotone.matching.urls")),
    path("programmes/", include("ecotone.programs.urls")),
    path("impact/", include("ecotone.impact.urls")),
    path("reports/", include("ecotone.reports.urls")),
    path("", include("ecotone.catalog.urls")),
)

handler400 = "ecotone.core.views.bad_request"
handler403 = "ecotone.core.views.permission_denied"
handler404 = "ecotone.core.views.page_not_found"
handler500 = "ecotone.core.views.server_error"
