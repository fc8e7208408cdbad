from django.urls import path

from . import views, views_investor

app_name = "catalog"

KIND = "<str:plural>"

urlpatterns = [
    path("sectors/", views.sector_list, name="sector_list"),
    path("sectors/<slug:slug>/", views.sector_detail, name="sector_detail"),
    path("review/", views.review_queue, name="review_queue"),
    path("resources/<int:pk>/file/", views.resource_file, name="resource_file"),
    path(
        "organisations/<int:pk>/investor-profile/",
        views_investor.investor_profile_edit,
        name="investor_profile_edit",
    ),
    path(f"{KIND}/", views.record_list, name="record_list"),
    path(f"{KIND}/new/", views.record_create, name="record_create"),
    path(f"{KIND}/export.csv", views.record_export, name="record_export"),
    path(f"{KIND}/<int:pk>/", views.record_detail, name="record_detail"),
    path(f"{KIND}/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path(f"{KIND}/<int:pk>/review/", views.record_review, name="record_review"),
    path(f"{KIND}/<int:pk>/delete/", views.record_delete, name="record_delete"),
]
