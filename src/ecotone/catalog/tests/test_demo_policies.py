"""The demo's CCUS policy records (data/demo/resources.jsonl, built by data/build_demo.py)."""

import json
import re

from django.conf import settings

FACTS_ZH = re.compile(
    r"适用范围：(?P<jurisdiction>[^。]*)。状态：(?P<status>[^。]*)。法律效力：(?P<weight>[^。]*)。"
)
FACTS_EN = re.compile(
    r"Jurisdiction: (?P<jurisdiction>[^.]*)\. Status: (?P<status>[^.]*)\. "
    r"Legal weight: (?P<weight>[^.]*)\."
)


def demo_policies() -> list[dict]:
    path = settings.DATA_DIR / "demo" / "resources.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [row for row in rows if row["external_id"].startswith("ccus-pol-")]


def test_a_policys_facts_are_written_in_the_language_of_the_summary_that_states_them():
    """The source gives jurisdiction, status and legal weight in English (a few statuses in
    Chinese): the Chinese summary said 适用范围：Australia。状态：Active。, English words in
    the text a Chinese reader is given, and five English summaries said "Status: 现行"."""
    policies = demo_policies()
    assert len(policies) >= 50
    chinese = [FACTS_ZH.search(p["summary_zh"]) for p in policies if p.get("summary_zh")]
    english = [FACTS_EN.search(p["summary_en"]) for p in policies]
    assert len(chinese) >= 50 and all(chinese) and all(english)
    for facts in chinese:
        assert not re.search(r"[A-Za-z]", "".join(facts.groups())), facts.group(0)
    for facts in english:
        assert not re.search(r"[\u4e00-\u9fff]", "".join(facts.groups())), facts.group(0)
    jurisdictions = {facts["jurisdiction"] for facts in chinese}
    assert {"澳大利亚", "欧盟", "中国"} <= jurisdictions


def test_a_policys_text_and_summaries_are_plain_text_not_the_sources_markdown():
    """The source writes Markdown; the pages and the assistant's citations showed
    "## Policy Core" and "**psychosocial risks**" as written."""
    policies = demo_policies()
    for policy in policies:
        for field in ("text", "summary_en", "summary_zh"):
            value = policy.get(field, "")
            assert "**" not in value and "#" not in value and "\r" not in value, (
                policy["external_id"],
                field,
            )
    canada = next(p for p in policies if p["external_id"] == "ccus-pol-ca-ccus-itc")
    assert "Legal weight: Guideline/Policy. The Canada CCUS ITC" in canada["summary_en"]


def test_every_demo_publisher_has_its_english_name_in_the_english_field():
    """Nine policies and five Chinese documents named their publisher only in Chinese
    (丹麦能源署, 生态环境部办公厅), which English pages showed as the publisher's name."""
    path = settings.DATA_DIR / "demo" / "resources.jsonl"
    with path.open(encoding="utf-8") as fh:
        resources = [json.loads(line) for line in fh if line.strip()]
    named = [row for row in resources if row.get("publisher") or row.get("publisher_zh")]
    assert len(named) >= 60
    for row in named:
        assert row.get("publisher") and not re.search(r"[\u4e00-\u9fff]", row["publisher"]), row
    chinese = {row["external_id"]: row.get("publisher_zh", "") for row in named}
    assert chinese["ccus-pol-denmark-ccfd"] == "丹麦能源署"
    assert chinese["doc-cn-ets-measures-2020"] == "中华人民共和国生态环境部"
    assert chinese["doc-us-usc-26-45q"].startswith("美国国会")
