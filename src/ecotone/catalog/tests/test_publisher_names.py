"""A resource's publisher in both languages: pages show the reader's, search reads both, and
``migrate`` moves a publisher written only in Chinese out of the English field."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from ecotone.catalog.models import Resource

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ecotone.catalog.migrations.0010_resource_publisher_zh")


def document(external_id: str, **fields) -> Resource:
    fields.setdefault("title_en", "NECCS Fund")
    return Resource.objects.create(external_id=external_id, status="published", **fields)


def lead(language: str, record: Resource) -> str:
    response = Client().get(f"/{language}/resources/{record.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<p class="lead">') :].split("</p>", 1)[0]


def test_each_page_names_the_publisher_in_its_own_language():
    record = document("dk-neccs", publisher="Danish Energy Agency", publisher_zh="丹麦能源署")
    assert "Danish Energy Agency" in lead("en", record)
    assert "丹麦能源署" not in lead("en", record)
    assert "丹麦能源署" in lead("zh-hans", record)
    assert "Danish" not in lead("zh-hans", record)
    # the page's facts too, not only its lead line
    chinese_page = Client().get(f"/zh-hans/resources/{record.pk}/").content.decode()
    assert "<dd>丹麦能源署</dd>" in chinese_page and "Danish" not in chinese_page


def test_a_publisher_known_in_one_language_is_shown_on_both_pages():
    chinese_only = document("hb-offset", publisher_zh="湖北省生态环境厅")
    assert "湖北省生态环境厅" in lead("en", chinese_only)
    english_only = document("us-45q", publisher="United States Congress")
    assert "United States Congress" in lead("zh-hans", english_only)


def test_a_chinese_publisher_name_finds_the_document(search_home, committed):
    from ecotone.search.queries import search_records

    with committed():
        record = document("dk-neccs", publisher="Danish Energy Agency", publisher_zh="丹麦能源署")
        document("other", title_en="Hubei offset rules", publisher="Hubei bureau")
    found = search_records("丹麦能源署", mode="lexical").results
    assert found and found[0]["external_id"] == record.external_id


def test_migrate_moves_a_chinese_only_publisher_out_of_the_english_field():
    chinese = document("cn-ets", publisher="生态环境部办公厅")
    english = document("us-45q", publisher="United States Congress")
    mixed = document("miit", publisher="工信部 (MIIT)")
    migration.move_chinese_publishers(apps, SimpleNamespace(connection=connection))
    rows = dict(Resource.objects.values_list("external_id", "publisher"))
    assert rows == {"cn-ets": "", "us-45q": "United States Congress", "miit": "工信部 (MIIT)"}
    assert Resource.objects.get(pk=chinese.pk).publisher_zh == "生态环境部办公厅"
    assert Resource.objects.get(pk=english.pk).publisher_zh == ""
    assert Resource.objects.get(pk=mixed.pk).publisher_zh == ""
