"""The country filter of a list page names the countries in the reader's language."""

import re

import pytest

pytestmark = pytest.mark.django_db


def option_label(html: str, code: str) -> str:
    match = re.search(rf'<option value="{code}"[^>]*>([^<]*)</option>', html)
    assert match, f"no option for {code}"
    return match.group(1)


@pytest.mark.parametrize("plural", ["organisations", "solutions", "needs"])
def test_the_country_filter_speaks_the_pages_language(client, plural):
    english = client.get(f"/en/{plural}/").content.decode()
    chinese = client.get(f"/zh-hans/{plural}/").content.decode()
    assert option_label(english, "CN") == "China"
    assert option_label(chinese, "CN") == "中国"
    assert option_label(chinese, "DE") == "德国"
    # and the English page again, after a Chinese one filled its cache
    assert option_label(client.get(f"/en/{plural}/").content.decode(), "DE") == "Germany"
