from django.urls import path

from . import views

app_name = "impact"

urlpatterns = [
    path("", views.index, name="index"),
    path("calculate/<str:methodology_id>/", views.calculator, name="calculator"),
    path("calculations/", views.calculation_list, name="calculation_list"),
    path("calculations/<int:pk>/", views.calculation_detail, name="calculation_detail"),
    path("claims/", views.claims, name="claims"),
    path("factors/", views.factor_list, name="factor_list"),
    path("factors/export.csv", views.factor_export, name="factor_export"),
    path("factors/<int:pk>/", views.factor_detail, name="factor_detail"),
]
