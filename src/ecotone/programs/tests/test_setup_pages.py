"""Set-up on pages: creating a programme, its call, tracks, rounds, rubric, reviewer pool,
preview and publishing, through the same services as the API; and the apply form's
solution picked by name."""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from ecotone.accounts.models import AuditEntry
from ecotone.core.refusals import Refused
from ecotone.core.testing import (
    OrganisationFactory,
    SolutionFactory,
    UserFactory,
    logged_in,
    make_member,
    token_headers,
)
from ecotone.programs.models import Programme, Reviewer, Submission, Visibility
from ecotone.programs.services import pool, setup

from .conftest import add_applicant, make_programme

pytestmark = pytest.mark.django_db


def create_form(**changes) -> dict:
    form = {
        "title_en": "Cool Cities Prize",
        "title_zh": "",
        "slug": "cool-cities",
        "year": "2030",
        "organiser": "",
        "time_zone": "Asia/Shanghai",
        "review_mode": "blind",
        "tracks[0].key": "general",
        "tracks[0].name_en": "General",
        "rounds[0].kind": "screening",
        "rounds[0].criteria[0].key": "quality",
        "rounds[0].criteria[0].name_en": "Overall quality",
    }
    return {**form, **changes}


def page_errors(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


# --- creating -----------------------------------------------------------------------------


def test_a_member_creates_a_draft_programme_for_their_organisation():
    organiser = OrganisationFactory(name_en="Green Fund")
    user = UserFactory(username="mia")
    make_member(user, organiser)
    client = logged_in(user)
    assert client.get("/en/programmes/new/").status_code == 200
    response = client.post("/en/programmes/new/", create_form(organiser=str(organiser.pk)))
    assert response.status_code == 302
    assert response["Location"] == "/en/programmes/cool-cities/setup/"
    programme = Programme.objects.get(slug="cool-cities")
    assert programme.organiser == organiser
    assert programme.visibility == Visibility.PRIVATE
    assert [t.key for t in programme.tracks.all()] == ["general"]
    assert [c.key for c in programme.rounds.get().criteria.all()] == ["quality"]
    assert AuditEntry.objects.filter(action="programme_create", actor=user).exists()
    # a draft: the public does not see it, its managers do
    assert "Cool Cities" not in logged_in(UserFactory()).get("/en/programmes/").content.decode()
    assert "Cool Cities" in client.get("/en/programmes/").content.decode()


def test_creating_follows_the_apis_rule_someone_outside_the_organiser_is_refused():
    organiser = OrganisationFactory(name_en="Green Fund")
    outsider = UserFactory(username="olaf")
    response = logged_in(outsider).post(
        "/en/programmes/new/", create_form(organiser=str(organiser.pk))
    )
    assert response.status_code == 422
    assert "organiser" in page_errors(response)
    response = logged_in(outsider).post("/en/programmes/new/", create_form())
    assert page_errors(response)["organiser"] == [
        "Choose the organising organisation (one you are a member of)."
    ]
    assert not Programme.objects.exists()
    staff = UserFactory(username="sam", is_staff=True)
    assert logged_in(staff).post("/en/programmes/new/", create_form()).status_code == 302


def test_the_create_page_names_the_input_at_fault_and_writes_nothing():
    staff = logged_in(UserFactory(is_staff=True))
    response = staff.post("/en/programmes/new/", create_form(slug="Cool Cities"))
    assert page_errors(response) == {"slug": ["Use lower-case letters, digits and single hyphens."]}
    response = staff.post("/en/programmes/new/", create_form(year="next year"))
    assert page_errors(response) == {"year": ["Give a whole number from 1990 to 2100."]}
    response = staff.post("/en/programmes/new/", create_form(**{"tracks[0].key": ""}))
    assert page_errors(response) == {"tracks[0].key": ["This field is required."]}
    response = staff.post("/en/programmes/new/", create_form(time_zone="Mars/Olympus"))
    assert "time_zone" in page_errors(response)
    assert not Programme.objects.exists()
    assert staff.get("/en/programmes/new/").status_code == 200
    assert logged_in(UserFactory()).get("/en/programmes/new/").status_code == 200


# --- the call, tracks, rounds, rubric -----------------------------------------------------


def call_form(programme, **changes) -> dict:
    form = {
        "title_en": programme.title_en,
        "title_zh": programme.title_zh,
        "description_en": "Cities that stay cool.",
        "description_zh": "",
        "eligibility_en": "Start-ups registered in Shenzhen.",
        "eligibility_zh": "在深圳注册的初创企业。",
        "time_zone": "Asia/Shanghai",
        "opens_at": "2030-03-01T09:00",
        "closes_at": "2030-04-30T18:00",
        "year": "2030",
        "award_count": "3",
        "max_attachment_mb": "10",
        "review_mode": "blind",
    }
    return {**form, **changes}


def test_the_call_dates_are_typed_and_shown_in_the_programmes_time_zone():
    world = make_programme()
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/"
    response = client.post(url, call_form(world.programme))
    assert response.status_code == 302
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.opens_at == datetime(2030, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert programme.eligibility_zh == "在深圳注册的初创企业。"
    assert programme.award_count == 3
    page = client.get(url)
    assert page.context["form"]["opens_at"].value() == "2030-03-01T09:00"
    # the same wall-clock time in another zone is another instant
    client.post(url, call_form(programme, time_zone="Europe/Berlin"))
    programme.refresh_from_db()
    assert programme.opens_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert AuditEntry.objects.filter(action="programme_update").count() == 2


def test_a_bad_call_is_refused_on_its_input_and_changes_nothing():
    world = make_programme()
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/"
    before = Programme.objects.values().get(pk=world.programme.pk)
    response = client.post(url, call_form(world.programme, closes_at="2030-02-01T09:00"))
    assert page_errors(response) == {"closes_at": ["The call must close after it opens."]}
    response = client.post(url, call_form(world.programme, award_count="three"))
    assert page_errors(response) == {"award_count": ["Give a whole number from 0 to 1000."]}
    assert Programme.objects.values().get(pk=world.programme.pk) == before


def test_only_managers_reach_the_set_up_pages():
    world = make_programme()
    stranger = logged_in(UserFactory())
    pages = ("", "tracks/", "questions/", "rounds/", "rounds/1/rubric/", "reviewers/", "preview/")
    for page in pages:
        url = f"/en/programmes/{world.programme.slug}/setup/{page}"
        assert stranger.get(url).status_code == 403, url
        assert logged_in(world.manager).get(url).status_code == 200, url
    url = f"/en/programmes/{world.programme.slug}/setup/tracks/"
    assert stranger.post(url, {"tracks[0].key": "x"}).status_code == 403
    assert world.programme.tracks.count() == 2


def tracks_form(**rows) -> dict:
    form = {}
    for number, (key, name, sectors) in rows.items():
        index = int(number.removeprefix("row"))
        form |= {
            f"tracks[{index}].key": key,
            f"tracks[{index}].name_en": name,
            f"tracks[{index}].name_zh": "",
            f"tracks[{index}].sectors": sectors,
        }
    return form


def test_tracks_are_added_renamed_and_removed_on_one_page():
    world = make_programme()
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/tracks/"
    page = client.get(url)
    assert page.context["form"]["tracks[1].sectors"].value() == "electric-vehicles"
    form = tracks_form(
        row0=("energy", "Clean energy", "solar-power"),
        row1=("", "", ""),  # transport left out: removed
        row3=("water", "Water", "solar-power; electric-vehicles"),
    )
    assert client.post(url, form).status_code == 302
    tracks = list(world.programme.tracks.all())
    assert [(t.key, t.name_en) for t in tracks] == [("energy", "Clean energy"), ("water", "Water")]
    assert {s.slug for s in tracks[1].sectors.all()} == {"solar-power", "electric-vehicles"}


def test_an_unknown_sector_is_refused_on_its_row_counting_blank_rows():
    world = make_programme()
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/tracks/"
    form = tracks_form(
        row0=("energy", "Energy", "solar-power"),
        row1=("", "", ""),
        row2=("water", "Water", "solar-power; moon-mining"),
    )
    response = client.post(url, form)
    assert page_errors(response) == {"tracks[2].sectors": ["There is no sector moon-mining."]}
    assert [t.key for t in world.programme.tracks.all()] == ["energy", "transport"]


def rounds_form(programme, **extra) -> dict:
    form = {}
    for number, r in enumerate(programme.rounds_in_order()):
        prefix = f"rounds[{number}]."
        form |= {
            prefix + "kind": r.kind,
            prefix + "name_en": r.name_en,
            prefix + "name_zh": r.name_zh,
            prefix + "reviewers_per_submission": str(r.reviewers_per_submission),
            prefix + "max_load": str(r.max_load),
            prefix + "decision_rule": r.decision_rule,
            prefix + "decision_value": "" if r.decision_value is None else str(r.decision_value),
            prefix + "reviews_due": "",
        }
    return {**form, **extra}


def test_a_new_round_starts_with_the_rubric_before_it_and_its_due_date_in_the_zone():
    world = make_programme(rounds=1)
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/"
    form = rounds_form(
        world.programme,
        **{
            "rounds[1].kind": "final",
            "rounds[1].name_en": "Jury",
            "rounds[1].reviewers_per_submission": "5",
            "rounds[1].max_load": "",
            "rounds[1].decision_rule": "top_n",
            "rounds[1].decision_value": "3",
            "rounds[1].reviews_due": "2030-06-01T12:00",
        },
    )
    assert client.post(url, form).status_code == 302
    jury = world.programme.rounds.get(position=2)
    assert (jury.name_en, jury.reviewers_per_submission, jury.decision_value) == ("Jury", 5, 3)
    assert jury.reviews_due == datetime(2030, 6, 1, 4, 0, tzinfo=UTC)
    assert [c.key for c in jury.criteria.all()] == ["technology", "commercial"]
    # removing the last round
    form = rounds_form(world.programme, remove_last="1")
    assert client.post(url, form).status_code == 302
    assert world.programme.rounds.count() == 1


def test_a_bad_round_is_refused_on_its_input():
    world = make_programme(rounds=2)
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/"
    form = rounds_form(world.programme, **{"rounds[1].reviewers_per_submission": "many"})
    response = client.post(url, form)
    assert page_errors(response) == {
        "rounds[1].reviewers_per_submission": ["Give a whole number from 1 to 50."]
    }
    form = rounds_form(world.programme, **{"rounds[0].decision_value": "2.5"})
    response = client.post(url, form)
    assert page_errors(response) == {
        "rounds[0].decision_value": ["Top N needs a whole number N of at least 1."]
    }
    assert world.programme.rounds.get(position=2).reviewers_per_submission == 2


def rubric_form(**rows) -> dict:
    form = {}
    for number, (key, name, weight, low, high, levels) in rows.items():
        prefix = f"rounds[0].criteria[{int(number.removeprefix('row'))}]."
        form |= {
            prefix + "key": key,
            prefix + "name_en": name,
            prefix + "name_zh": "",
            prefix + "weight": weight,
            prefix + "scale_min": low,
            prefix + "scale_max": high,
            prefix + "levels": levels,
        }
    return form


def test_the_rubric_takes_weights_scales_and_a_descriptor_per_level():
    world = make_programme(rounds=1)
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/1/rubric/"
    page = client.get(url)
    assert (
        page.context["form"]["rounds[0].criteria[0].levels"]
        .value()
        .startswith("level 1 | 等级1\nlevel 2 | 等级2")
    )
    form = rubric_form(
        row0=("impact", "Impact", "2.5", "1", "3", "Little | 很少\nSome\nMuch | 很多"),
        row1=("", "", "", "", "", ""),
    )
    assert client.post(url, form).status_code == 302
    (criterion,) = world.rounds[0].criteria.all()
    assert (criterion.key, criterion.weight, criterion.scale_min, criterion.scale_max) == (
        "impact",
        2.5,
        1,
        3,
    )
    assert criterion.levels == [
        {"en": "Little", "zh": "很少"},
        {"en": "Some", "zh": ""},
        {"en": "Much", "zh": "很多"},
    ]


def test_a_bad_rubric_is_refused_on_the_row_at_fault_and_changes_nothing():
    world = make_programme(rounds=1)
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/1/rubric/"
    form = rubric_form(
        row0=("technology", "Technology", "1", "1", "5", ""),
        row2=("impact", "Impact", "1", "1", "3", "one\ntwo"),
    )
    response = client.post(url, form)
    assert page_errors(response) == {
        "rounds[0].criteria[2].levels": ["Give one descriptor per level: 3, lowest first."]
    }
    form = rubric_form(row0=("technology", "Technology", "0", "1", "5", ""))
    response = client.post(url, form)
    assert page_errors(response) == {
        "rounds[0].criteria[0].weight": ["Give a number from 0.01 to 1000."]
    }
    assert [c.key for c in world.rounds[0].criteria.all()] == ["technology", "commercial"]


# --- the reviewer pool --------------------------------------------------------------------


def test_inviting_a_reviewer_adds_them_and_e_mails_them(django_capture_on_commit_callbacks):
    world = make_programme()
    UserFactory(username="kai", email="kai@experts.example")
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/reviewers/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "KAI@experts.example", "expertise": "solar", "sectors": "solar-power"}
        )
    assert response.status_code == 302
    reviewer = Reviewer.objects.get(programme=world.programme)
    assert reviewer.user.username == "kai" and reviewer.expertise == "solar"
    (message,) = mail.outbox
    assert message.to == ["kai@experts.example"]
    assert "Test Challenge" in message.subject
    assert f"/programmes/{world.programme.slug}/reviewer/" in message.body
    # the same refusals as the API's: someone already in the pool, an unknown address
    response = client.post(url, {"email": "kai@experts.example"})
    assert response.status_code == 422
    assert response.context["invite_form"].errors == {
        "email": ["This person is already in the reviewer pool."]
    }
    response = client.post(url, {"email": "nobody"})
    assert response.context["invite_form"].errors == {
        "email": ["No active account has this username or e-mail address."]
    }
    assert len(mail.outbox) == 1


def test_inviting_a_new_address_opens_an_account_whose_password_they_choose(
    client, django_capture_on_commit_callbacks
):
    world = make_programme()
    UserFactory(username="kai", email="someone.else@experts.example")
    manager = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/reviewers/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {"email": "kai@experts.example", "sectors": "solar-power"})
    assert response.status_code == 302
    reviewer = Reviewer.objects.get(programme=world.programme)
    account = reviewer.user
    assert (account.username, account.email) == ("kai-2", "kai@experts.example")
    assert AuditEntry.objects.filter(action="account_invite", actor=world.manager).exists()
    (message,) = mail.outbox
    assert "with the username kai-2" in message.body
    link = re.search(r"http\S+/accounts/password-reset/\S+/\S+/", message.body).group(0)
    # the invited person follows the link and chooses a password, then logs in
    form_page = client.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-secret-9", "new_password2": "a-long-new-secret-9"},
    )
    assert response.status_code == 302
    assert client.login(username="kai-2", password="a-long-new-secret-9")
    # an invalid sector writes nothing, not even the account
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {"email": "lea@experts.example", "sectors": "moon-mining"})
    assert response.context["invite_form"].errors == {
        "sectors": ["There is no sector moon-mining."]
    }
    assert not type(account).objects.filter(email="lea@experts.example").exists()
    assert len(mail.outbox) == 1


def test_a_manager_who_is_not_staff_opens_only_so_many_accounts_a_day(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ECOTONE_INVITED_ACCOUNTS_PER_DAY = 1
    world = make_programme()
    manager = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/reviewers/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        first = manager.post(url, {"email": "kai@experts.example"})
        second = manager.post(url, {"email": "lea@experts.example"})
    assert first.status_code == 302
    assert second.status_code == 422
    assert "the most allowed" in second.context["invite_form"].errors["email"][0]
    assert not type(world.manager).objects.filter(email="lea@experts.example").exists()
    assert len(mail.outbox) == 1
    # staff are not counted
    world.manager.is_staff = True
    world.manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        third = logged_in(world.manager).post(url, {"email": "lea@experts.example"})
    assert third.status_code == 302
    assert len(mail.outbox) == 2


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("reviewers.csv", text.encode("utf-8"), content_type="text/csv")


def test_a_reviewer_list_is_imported_whole_or_not_at_all(django_capture_on_commit_callbacks):
    world = make_programme()
    for name in ("kai", "lea", "max"):
        UserFactory(username=name, email=f"{name}@experts.example")
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/reviewers/import/"
    bad = (
        "user,expertise,sectors,max_load\n"
        "kai@experts.example,solar,solar-power,4\n"
        "lea,batteries,moon-mining,\n"
    )
    response = client.post(url, {"file": upload(bad)})
    assert response.status_code == 422
    assert response.context["import_form"].errors == {
        "file": ["Line 3, sectors: There is no sector moon-mining."]
    }
    assert not Reviewer.objects.exists()
    good = (
        "\ufeffUser,Expertise,Sectors,Max_load\nkai@experts.example,solar,solar-power,4\n\nlea,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload(good)})
    assert response.status_code == 302
    pool_now = {r.user.username: r.max_load for r in Reviewer.objects.all()}
    assert pool_now == {"kai": 4, "lea": None}
    assert sorted(m.to[0] for m in mail.outbox) == ["kai@experts.example", "lea@experts.example"]
    assert AuditEntry.objects.filter(action="reviewer_add").count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("name,mail\nkai,x\n", "Line 1 must name the columns"),
        ("user\n\n", "The file lists no reviewer."),
        ("user,expertise\nkai,solar,extra\n", "Line 2 has more cells than the header."),
        ("user,max_load\nkai,lots\n", "Line 2, max_load: Give a whole number of reviews"),
        ("user\nkai\nkai\n", "Line 3, user: This person is already in the reviewer pool."),
        ("user\nkai\n".encode("utf-16"), "Save the list as UTF-8 text."),
        ("user,expertise\nkai,é\nkai,é\n".encode(), "Line 3, user: This person is already"),
    ],
)
def test_the_import_names_the_line_at_fault(text, message):
    world = make_programme()
    UserFactory(username="kai")
    with pytest.raises(Refused) as refused:
        pool.import_reviewers(user=world.manager, programme=world.programme, text=text)
    assert str(refused.value.message).startswith(message)
    assert not Reviewer.objects.exists()


def test_staff_are_offered_their_organisations_and_those_organising_already():
    world = make_programme()
    OrganisationFactory(name_en="Unrelated Ltd")
    own = OrganisationFactory(name_en="Staff Org")
    staff = UserFactory(is_staff=True)
    make_member(staff, own)
    assert list(setup.organisers_for(staff)) == [world.organiser, own]
    assert list(setup.organisers_for(world.manager)) == [world.organiser]
    assert list(setup.organisers_for(UserFactory())) == []


def test_the_import_reports_every_line_refused_and_writes_none():
    world = make_programme()
    UserFactory(username="kai")
    text = "user,sectors,max_load\nkai,,\nnobody,,\nkai,,\nkai,moon-mining,lots\n"
    with pytest.raises(Refused) as refused:
        pool.import_reviewers(user=world.manager, programme=world.programme, text=text)
    assert refused.value.field_errors == {
        "file": [
            "Line 3, user: No active account has this username or e-mail address.",
            "Line 4, user: This person is already in the reviewer pool.",
            "Line 5, user: This person is already in the reviewer pool.",
        ]
    }
    assert refused.value.message == refused.value.field_errors["file"][0]
    assert not Reviewer.objects.exists()


def test_only_managers_import_reviewers():
    world = make_programme()
    with pytest.raises(PermissionDenied):
        pool.import_reviewers(user=UserFactory(), programme=world.programme, text="user\nkai\n")


# --- preview and publishing ---------------------------------------------------------------


def test_the_preview_shows_the_call_and_publishing_shows_it_to_everyone(client):
    world = make_programme()
    programme = world.programme
    Programme.objects.filter(pk=programme.pk).update(visibility=Visibility.PRIVATE)
    assert client.get(programme.get_absolute_url()).status_code == 404
    manager = logged_in(world.manager)
    preview = manager.get(f"/en/programmes/{programme.slug}/setup/preview/").content.decode()
    assert "Test Challenge" in preview and "level 3" in preview and "Publish the call" in preview
    response = manager.post(f"/en/programmes/{programme.slug}/setup/publish/")
    assert response.status_code == 302
    assert client.get(programme.get_absolute_url()).status_code == 200
    entry = AuditEntry.objects.get(action="call_publish")
    assert (entry.actor, entry.from_status, entry.to_status) == (world.manager, "private", "public")
    # a second time is refused with a message, not a 500
    response = manager.post(f"/en/programmes/{programme.slug}/setup/publish/", follow=True)
    assert "The call is already published." in response.content.decode()


def test_a_call_without_dates_is_not_published():
    world = make_programme()
    Programme.objects.filter(pk=world.programme.pk).update(
        visibility=Visibility.PRIVATE, opens_at=None
    )
    with pytest.raises(Refused) as refused:
        setup.publish_call(user=world.manager, programme=world.programme)
    assert refused.value.field == "opens_at"
    with pytest.raises(PermissionDenied):
        setup.publish_call(user=UserFactory(), programme=world.programme)
    assert Programme.objects.get(pk=world.programme.pk).visibility == Visibility.PRIVATE


# --- the apply form's solution ------------------------------------------------------------


def apply_form(org, **changes) -> dict:
    form = {
        "applicant": org.pk,
        "track": "energy",
        "title": "Roofs",
        "summary": "Solar roofs.",
        "answer_impact": "Much.",
        "action": "save",
    }
    return {**form, **changes}


def test_the_applicant_picks_a_solution_by_name():
    world = make_programme()
    user, org = add_applicant(world, "Sun Co")
    roof = SolutionFactory(title_en="SolarRoof Tiles", title_zh="太阳能瓦")
    SolutionFactory(title_en="SolarRoof Inverter")
    SolutionFactory(title_en="Hidden Roof", status="draft")
    client = logged_in(user)
    url = f"/en/programmes/{world.programme.slug}/apply/"

    response = client.post(url, apply_form(org, solution="solarroof"))
    assert response.status_code == 422
    (error,) = response.context["form"].errors["solution"]
    assert error.startswith("Several published solutions match: ")
    assert "SolarRoof Tiles (#" in error and "SolarRoof Inverter (#" in error
    response = client.post(url, apply_form(org, solution="Hidden Roof"))
    assert response.context["form"].errors["solution"] == [
        "No published solution is named like “Hidden Roof”."
    ]
    assert not Submission.objects.exists()

    assert client.post(url, apply_form(org, solution="solarroof tiles")).status_code == 302
    submission = Submission.objects.get()
    assert submission.solution == roof
    edit = client.get(f"/en/programmes/submissions/{submission.pk}/edit/")
    assert edit.context["form"]["solution"].value() == f"SolarRoof Tiles (#{roof.pk})"
    assert 'data-suggest-url="/en/programmes/solutions/suggest/"' in edit.content.decode()
    # Chinese name, and the label a suggestion fills in
    form = apply_form(org, solution="太阳能瓦", title="Roofs 2")
    assert client.post(url, form).status_code == 302
    form = apply_form(org, solution=f"anything (#{roof.pk})", title="Roofs 3")
    assert client.post(url, form).status_code == 302
    assert Submission.objects.filter(solution=roof).count() == 3


def test_the_suggestions_list_published_solutions_by_name(client):
    SolutionFactory(title_en="SolarRoof Tiles")
    SolutionFactory(title_en="Hidden Roof", status="draft")
    answer = client.get("/en/programmes/solutions/suggest/", {"q": "roof"}).json()
    assert [s["title"].split(" (#")[0] for s in answer["suggestions"]] == ["SolarRoof Tiles"]
    assert client.get("/en/programmes/solutions/suggest/").json() == {"suggestions": []}


def test_the_set_up_pages_speak_chinese():
    world = make_programme()
    client = logged_in(world.manager)
    page = client.get(f"/zh-hans/programmes/{world.programme.slug}/setup/").content.decode()
    assert "保存征集" in page and "日期和时间按项目时区 Asia/Shanghai 计。" in page
    rubric = client.get(f"/zh-hans/programmes/{world.programme.slug}/setup/rounds/1/rubric/")
    assert "等级说明" in rubric.content.decode()
    assert "创建项目" in client.get("/zh-hans/programmes/new/").content.decode()


def test_the_chinese_create_page_offers_english_names_for_the_english_fields():
    world = make_programme()
    form = logged_in(world.manager).get("/zh-hans/programmes/new/").context["form"]
    assert form["tracks[0].name_en"].value() == "General"
    assert form["rounds[0].criteria[0].name_en"].value() == "Overall quality"


def test_staff_may_create_without_belonging_to_an_organisation():
    staff = UserFactory(is_staff=True)
    page = logged_in(staff).get("/en/programmes/new/")
    assert page.status_code == 200
    assert "join yours first" not in page.content.decode()


def test_the_questions_applicants_answer_are_set_on_a_page():
    world = make_programme()
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/questions/"
    assert client.get(url).context["form"]["questions[0].required"].value() == "yes"
    form = {
        "questions[0].key": "impact",
        "questions[0].label_en": "Impact",
        "questions[0].label_zh": "影响",
        "questions[0].required": "",
        "questions[1].key": "team",
        "questions[1].label_en": "Your team",
        "questions[1].label_zh": "",
        "questions[1].required": "yes",
    }
    assert client.post(url, form).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.questions == [
        {"key": "impact", "label_en": "Impact", "label_zh": "影响", "required": False},
        {"key": "team", "label_en": "Your team", "label_zh": "", "required": True},
    ]
    response = client.post(url, {**form, "questions[1].key": "impact"})
    assert page_errors(response) == {"questions[1].key": ["Each key may appear only once."]}
    response = client.post(url, {**form, "questions[1].label_en": ""})
    assert page_errors(response) == {"questions[1].label_en": ["Give it in English or Chinese."]}


def test_untouched_rows_keep_what_is_stored_exactly():
    """A finished round refuses any change to what decided it, and a rubric with reviews any
    change of weight: an untouched page must send back exactly what is stored."""
    world = make_programme(rounds=1)
    round = world.rounds[0]
    round.decision_rule, round.decision_value = "threshold", 62.123456789
    round.reviews_due = datetime(2030, 6, 1, 4, 0, 30, tzinfo=UTC)
    round.status = "finished"
    round.save()
    round.criteria.filter(key="commercial").update(weight=1.23456789)
    client = logged_in(world.manager)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/"
    shown = client.get(url).context["form"]
    form = {name: shown[name].value() or "" for name in shown.fields}
    assert form["rounds[0].decision_value"] == "62.123456789"
    assert client.post(url, form).status_code == 302
    round.refresh_from_db()
    assert round.reviews_due == datetime(2030, 6, 1, 4, 0, 30, tzinfo=UTC)
    url = f"/en/programmes/{world.programme.slug}/setup/rounds/1/rubric/"
    shown = client.get(url).context["form"]
    form = {name: shown[name].value() or "" for name in shown.fields}
    assert client.post(url, form).status_code == 302
    assert round.criteria.get(key="commercial").weight == 1.23456789


def test_the_dashboard_and_the_programme_list_lead_to_the_set_up():
    world = make_programme()
    client = logged_in(world.manager)
    dashboard = client.get(f"/en/programmes/{world.programme.slug}/manage/").content.decode()
    assert f'href="/en/programmes/{world.programme.slug}/setup/"' in dashboard
    listing = client.get("/en/programmes/").content.decode()
    assert 'href="/en/programmes/new/"' in listing
    Programme.objects.filter(pk=world.programme.pk).update(visibility=Visibility.PRIVATE)
    listing = client.get("/en/programmes/").content.decode()
    assert f'href="/en/programmes/{world.programme.slug}/setup/"' in listing
    dashboard = client.get(f"/en/programmes/{world.programme.slug}/manage/").content.decode()
    assert f'href="/en/programmes/{world.programme.slug}/setup/preview/"' in dashboard


def fixed_first_segments() -> set[str]:
    from ecotone.programs import urls

    routes = (str(pattern.pattern) for pattern in urls.urlpatterns)
    return {route.split("/")[0] for route in routes if route and not route.startswith("<")}


def test_the_reserved_short_names_are_the_fixed_addresses_of_the_programme_pages():
    assert fixed_first_segments() == setup.RESERVED_SLUGS


@pytest.mark.parametrize("slug", ["new", "solutions", "mine"])
def test_a_short_name_that_a_page_owns_is_refused_on_the_page_and_by_the_api(client, slug):
    staff_user = UserFactory(is_staff=True)
    response = logged_in(staff_user).post("/en/programmes/new/", create_form(slug=slug))
    message = "This short name is taken by a page of the site; choose another."
    assert page_errors(response) == {"slug": [message]}
    spec = {
        "slug": slug,
        "year": 2030,
        "title_en": "Cool Cities Prize",
        "tracks": [{"key": "general", "name_en": "General"}],
        "rounds": [{"kind": "screening"}],
    }
    answer = client.post(
        "/api/v1/programmes",
        spec,
        content_type="application/json",
        headers=token_headers(staff_user),
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "slug"
    assert answer.json()["message"] == message
    assert not Programme.objects.exists()
