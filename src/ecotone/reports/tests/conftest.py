"""A small, known world: what the expected figures in these tests are counted from."""

import datetime

import pytest

from ecotone.catalog.models import Award, Event, Resource, Sector
from ecotone.core.testing import CaseFactory, NeedFactory, OrganisationFactory, SolutionFactory


@pytest.fixture(autouse=True)
def _own_home(settings, tmp_path):
    """Built PDFs and open-data files go under ECOTONE_HOME: each test has its own."""
    settings.ECOTONE_HOME = tmp_path


def sector(slug: str) -> Sector:
    return Sector.objects.get(slug=slug)


@pytest.fixture
def world(db):
    """Shenzhen and Berlin records, published and not, in 2022 and 2023."""
    byd = OrganisationFactory(name_en="BYD", name_zh="比亚迪", city="Shenzhen", city_zh="深圳")
    metro = OrganisationFactory(name_en="Shenzhen Metro", city="Shenzhen", city_zh="深圳")
    bureau = OrganisationFactory(
        name_en="Shenzhen Bureau", kind="government", city="Shenzhen", city_zh="深圳"
    )
    berlin = OrganisationFactory(name_en="Berlin Solar", country="DE", city="Berlin")
    hidden_org = OrganisationFactory(name_en="Hidden Ltd", city="Shenzhen", status="draft")

    def case(title, org, sectors, status="published", start=None, city="Shenzhen", country="CN"):
        record = CaseFactory(
            title_en=title, city=city, country=country, status=status, start_date=start, owner=org
        )
        record.organisations.set([org])
        record.sectors.set([sector(slug) for slug in sectors])
        return record

    bus = case("Electric buses", byd, ["electric-vehicles", "low-carbon-transportation"])
    metro_case = case("Metro energy saving", metro, ["low-carbon-transportation", "energy"])
    solar_2023 = case("Rooftop solar", byd, ["solar-power"], start=datetime.date(2023, 3, 1))
    old = case("Old pilot", byd, ["solar-power"], start=datetime.date(2021, 5, 1))
    draft = case("Draft case", hidden_org, ["energy"], status="draft")
    berlin_case = case(
        "Berlin PV",
        berlin,
        ["solar-power"],
        start=datetime.date(2023, 6, 1),
        city="Berlin",
        country="DE",
    )
    programme = {"programme_en": "Top Ten Green Cases", "programme_zh": "十大绿色案例"}
    Award.objects.create(
        external_id="aw-bus",
        year=2023,
        title_en="Top Ten: BYD",
        case=bus,
        organisation=byd,
        status="published",
        owner=bureau,
        awarded_by=bureau,
        **programme,
    )
    Award.objects.create(
        external_id="aw-metro",
        year=2023,
        title_en="Top Ten: Metro",
        case=metro_case,
        organisation=metro,
        status="published",
        owner=bureau,
        **programme,
    )
    Award.objects.create(
        external_id="aw-draft",
        year=2023,
        title_en="Top Ten: Hidden",
        case=draft,
        organisation=hidden_org,
        status="draft",
        owner=bureau,
        **programme,
    )
    Award.objects.create(
        external_id="aw-old",
        year=2022,
        title_en="Earlier prize",
        case=old,
        organisation=byd,
        status="published",
        programme_en="Earlier prize",
    )
    session = Event.objects.create(
        external_id="ev-cop",
        title_en="Shenzhen Session",
        title_zh="深圳边会",
        city="Dubai",
        country="AE",
        start_date=datetime.date(2023, 12, 5),
        status="published",
    )
    session.organisers.set([bureau])
    Event.objects.create(
        external_id="ev-draft",
        title_en="Draft event",
        city="Shenzhen",
        country="CN",
        start_date=datetime.date(2023, 1, 5),
        status="draft",
    )
    Resource.objects.create(
        external_id="res-wp",
        title_en="White Paper on Climate Change in Shenzhen",
        title_zh="深圳市应对气候变化白皮书",
        kind="white_paper",
        published=datetime.date(2023, 12, 5),
        status="published",
    )
    Resource.objects.create(
        external_id="res-other",
        title_en="Unrelated policy",
        kind="policy",
        published=datetime.date(2023, 1, 1),
        status="published",
    )
    SolutionFactory(title_en="Battery swap", provider=byd).sectors.set([sector("energy-storage")])
    SolutionFactory(title_en="Draft tool", provider=byd, status="draft")
    NeedFactory(organisation=metro, need_status="open", city="Shenzhen", country="CN")
    NeedFactory(organisation=metro, need_status="matched", city="Shenzhen", country="CN")
    NeedFactory(organisation=metro, need_status="matched", status="draft", city="Shenzhen")
    return {
        "bus": bus,
        "metro_case": metro_case,
        "solar_2023": solar_2023,
        "old": old,
        "draft": draft,
        "berlin_case": berlin_case,
        "byd": byd,
        "bureau": bureau,
    }
