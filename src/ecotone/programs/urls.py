from django.urls import path

from . import discussion_views, exports, manage_views, setup_views, views
from .bid_views import bids, my_bidding, place_bid
from .reviewer_views import reviewer_profile

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("mine/", views.my_applications, name="my_applications"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/<int:pk>/", views.review_form, name="review_form"),
    path("reviews/<int:pk>/conflict/", views.declare_conflict, name="declare_conflict"),
    path("bids/", my_bidding, name="my_bids"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/edit/", views.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/withdraw/", views.submission_withdraw, name="submission_withdraw"),
    path("submissions/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path(
        "submissions/<int:pk>/discussion/",
        discussion_views.submission_discussion,
        name="discussion",
    ),
    path("submissions/<int:pk>/response/", discussion_views.applicant_response, name="response"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("new/", setup_views.create, name="setup_create"),
    path("solutions/suggest/", setup_views.solution_suggestions, name="solution_suggestions"),
    path("<slug:slug>/setup/", setup_views.overview, name="setup"),
    path("<slug:slug>/setup/tracks/", setup_views.tracks, name="setup_tracks"),
    path("<slug:slug>/setup/questions/", setup_views.questions, name="setup_questions"),
    path("<slug:slug>/setup/rounds/", setup_views.rounds, name="setup_rounds"),
    path(
        "<slug:slug>/setup/rounds/<int:position>/rubric/",
        setup_views.rubric,
        name="setup_rubric",
    ),
    path("<slug:slug>/setup/reviewers/", setup_views.reviewers, name="setup_reviewers"),
    path("<slug:slug>/setup/reviewers/invite/", setup_views.invite, name="setup_invite"),
    path("<slug:slug>/setup/reviewers/import/", setup_views.import_list, name="setup_import"),
    path("<slug:slug>/setup/preview/", setup_views.preview, name="setup_preview"),
    path("<slug:slug>/setup/publish/", setup_views.publish, name="setup_publish"),
    path("<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("<slug:slug>/results/", views.programme_results, name="programme_results"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/export.<str:fmt>", exports.export_submissions, name="export"),
    path("<slug:slug>/manage/", manage_views.dashboard, name="dashboard"),
    path("<slug:slug>/manage/reviewers/", manage_views.add_reviewer, name="add_reviewer"),
    path("<slug:slug>/manage/close/", manage_views.close_call, name="close_call"),
    path("<slug:slug>/manage/call/", manage_views.call_window, name="call_window"),
    path("<slug:slug>/manage/publish/", manage_views.publish, name="publish"),
    path(
        "<slug:slug>/manage/rounds/<int:position>/start/",
        manage_views.start_round,
        name="start_round",
    ),
    path(
        "<slug:slug>/manage/rounds/<int:position>/assignments/",
        manage_views.assignments,
        name="assignments",
    ),
    path("<slug:slug>/manage/rounds/<int:position>/ranking/", manage_views.ranking, name="ranking"),
    path("<slug:slug>/reviewer/", reviewer_profile, name="reviewer_profile"),
    path(
        "<slug:slug>/manage/rounds/<int:position>/remind/",
        manage_views.remind_reviewers,
        name="remind_reviewers",
    ),
    path(
        "<slug:slug>/manage/rounds/<int:position>/responses/",
        discussion_views.response_window,
        name="response_window",
    ),
    path("<slug:slug>/bids/", bids, name="bids"),
    path("<slug:slug>/bids/<int:submission_id>/", place_bid, name="place_bid"),
]
