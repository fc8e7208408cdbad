from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/data/", views.about_data, name="about_data"),
    path("tasks/", views.tasks_page, name="tasks"),
]
