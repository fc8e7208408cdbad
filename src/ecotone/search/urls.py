from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("index/", views.index_status_page, name="index_status"),
    path("index/rebuild/", views.index_rebuild, name="index_rebuild"),
    path("index/repair/", views.index_repair, name="index_repair"),
]
