from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("charts/<slug:slug>.csv", views.chart_download, name="chart_csv"),
    path("records/<str:kind>/", views.records, name="records"),
    path("annual/", views.annual_report, name="annual"),
    path("annual/report.pdf", views.annual_report_pdf, name="annual_pdf"),
    path("annual/report-pdf-status/", views.annual_report_pdf_status, name="annual_pdf_status"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/open-data.zip", views.open_data_bundle, name="open_data_bundle"),
    path(
        "open-data/<str:kind>.<str:file_format>",
        views.open_data_file,
        name="open_data_file",
    ),
]
