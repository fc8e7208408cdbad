from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.ask_page, name="ask"),
    path("c/<uuid:public_id>/", views.conversation_page, name="conversation"),
    path("answers/<uuid:public_id>/feedback/", views.feedback, name="feedback"),
    path("staff/", views.staff_questions, name="staff"),
]
