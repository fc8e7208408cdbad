"""Dashboard, chart and drill-down pages: rendering, errors, permissions, query budget."""

import csv
import io
import re
from xml.etree import ElementTree

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ecotone.core.testing import CaseFactory, UserFactory, make_member
from ecotone.reports.charts import Chart, ChartRow, render_svg

EXTERNAL = re.compile(r"<script|\b(?:href|src)\s*=|url\(|@import", re.IGNORECASE)


def test_chart_svg_is_titled_self_contained_and_parses():
    chart = Chart(
        slug="demo",
        title="Cases by sector <&>",
        category="Sector",
        series=("Cases", "Solutions"),
        rows=(ChartRow("能源 Energy", (3, 1)), ChartRow("Transport", (5, 0))),
    )
    svg = str(render_svg(chart))
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output
    namespace = "{http://www.w3.org/2000/svg}"
    title = root.find(f"{namespace}title")
    assert title is not None and title.text == "Cases by sector <&>"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == title.get("id")
    assert not EXTERNAL.search(svg)
    assert "<!--" not in svg
    assert "能源 Energy" in svg


def test_dashboard_shows_each_chart_with_its_table(world):
    response = Client().get("/en/reports/?year=2023&region=Shenzhen")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("sectors", "countries", "cities", "years", "needs-funnel", "programmes"):
        assert html.count(f'id="chart-{slug}"') == 1  # the figure's; the drawing has its own
        assert f'data-chart="{slug}"' in html
    assert 'data-chart="introductions"' not in html  # staff only
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "Draft case" not in html and "Top Ten: Hidden" not in html


def test_staff_also_see_the_introductions_chart(world):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert 'data-chart="introductions"' in client.get("/en/reports/").content.decode()


def test_dashboard_in_chinese_uses_chinese_names(world):
    html = Client().get("/zh-hans/reports/?region=深圳").content.decode()
    assert "深圳" in html and "能源" in html


def test_a_bad_filter_is_a_400_naming_the_problem(world):
    response = Client().get("/en/reports/?year=next")
    assert response.status_code == 400
    assert "The year must be a whole number." in response.content.decode()
    assert Client().get("/en/reports/?region=ZZ").status_code == 400


def test_chart_table_downloads_as_csv(world):
    response = Client().get("/en/reports/charts/sectors.csv?region=Shenzhen")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Sector", "Cases", "Solutions"]
    assert ["Energy", "3", "1"] in rows
    assert Client().get("/en/reports/charts/nope.csv").status_code == 404
    assert Client().get("/en/reports/charts/sectors.csv?year=x").status_code == 400


def test_drill_down_lists_published_records_only(world):
    response = Client().get("/en/reports/records/cases/?region=Shenzhen&sector=energy")
    html = response.content.decode()
    assert 'data-total="3"' in html
    assert "Metro energy saving" in html and "Draft case" not in html
    assert Client().get("/en/reports/records/people/").status_code == 404


def test_a_members_own_draft_is_not_counted_for_them_either(world):
    """Dashboards are public documents: the same figures for everyone."""
    user = UserFactory()
    make_member(user, world["draft"].owner)
    client = Client()
    client.force_login(user)
    html = client.get("/en/reports/records/cases/?region=Shenzhen").content.decode()
    assert 'data-total="4"' in html and "Draft case" not in html


def test_dashboard_queries_do_not_grow_with_records(world):
    client = Client()
    with CaptureQueriesContext(connection) as before:
        client.get("/en/reports/")
    for number in range(30):
        CaseFactory(title_en=f"More {number}", city=f"City {number}", country="FR")
    with CaptureQueriesContext(connection) as after:
        client.get("/en/reports/")
    assert len(after.captured_queries) == len(before.captured_queries)


def test_any_facet_on_any_kind_answers_without_an_error(world):
    client = Client()
    facets = "sector=energy&country=CN&city=Shenzhen&in_year=2023&need_status=open&programme=x"
    for kind in ("cases", "organisations", "solutions", "needs", "events", "awards", "resources"):
        assert client.get(f"/en/reports/records/{kind}/?{facets}").status_code == 200
        assert client.get(f"/en/reports/records/{kind}/?sector=none&in_year=x").status_code == 400


def test_long_labels_are_cut_by_width_with_chinese_counted_double():
    from ecotone.reports.charts import short_label

    assert short_label("Energy") == "Energy"
    assert short_label("a" * 40) == "a" * 30 + "…"
    assert short_label("深圳市绿色低碳典型案例十大案例之一") == "深圳市绿色低碳典型案例十大案例…"
    assert short_label("深圳 Shenzhen") == "深圳 Shenzhen"
