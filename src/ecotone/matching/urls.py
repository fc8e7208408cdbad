from django.urls import path

from . import feeds, views

app_name = "matching"

urlpatterns = [
    path("introductions/", views.introduction_list, name="introductions"),
    path("introductions/new/<int:target_pk>/", views.introduction_new, name="introduction_new"),
    path("introductions/<int:pk>/answer/", views.introduction_answer, name="introduction_answer"),
    path(
        "introductions/<int:pk>/withdraw/",
        views.introduction_withdraw,
        name="introduction_withdraw",
    ),
    path("introductions/brokers/", views.broker_queue, name="broker_queue"),
    path("introductions/<int:pk>/broker/", views.broker_step, name="broker_step"),
    path("matching/needs/<int:pk>/feedback/", views.need_feedback, name="need_feedback"),
    path("matching/needs/<int:pk>/criteria/", views.need_criteria, name="need_criteria"),
    path("alerts/", views.alert_settings, name="alerts"),
    path("alerts/<int:pk>/", views.alert_set, name="alert_set"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
    path("alerts/open/<str:token>/", views.alert_link, name="alert_link"),
    path("alerts/matches/<str:kind>/<int:pk>/", views.match_list_set, name="match_list_set"),
    path(
        "alerts/matches/unsubscribe/<str:token>/",
        views.match_list_unsubscribe,
        name="match_list_unsubscribe",
    ),
    path("feed/", views.follow_feed, name="feed"),
    path("alerts/searches/", views.saved_search_save, name="saved_search_save"),
    path("alerts/searches/<int:pk>/", views.saved_search_set, name="saved_search_set"),
    path("alerts/searches/<int:pk>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path(
        "alerts/searches/unsubscribe/<str:token>/",
        views.saved_search_unsubscribe,
        name="saved_search_unsubscribe",
    ),
    path("feeds/sectors/<slug:slug>/", feeds.SectorFeed(), name="sector_atom"),
    path("feeds/search/", feeds.SearchFeed(), name="search_atom"),
    path("follow/organisations/<int:pk>/", views.follow_organisation, name="follow_organisation"),
    path("follow/sectors/<slug:slug>/", views.follow_sector, name="follow_sector"),
    path("follow/programmes/<slug:slug>/", views.follow_programme, name="follow_programme"),
    path("feeds/programmes/<slug:slug>/", feeds.ProgrammeFeed(), name="programme_atom"),
    path("matching/figures/", views.figures, name="figures"),
]
