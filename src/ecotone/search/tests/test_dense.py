"""Dense and hybrid search with the real default embedder (multilingual-e5-small)."""

import re

import pytest

from ecotone.core.testing import CaseFactory, SolutionFactory
from ecotone.search.embedding import get_embedders
from ecotone.search.models import Embedding
from ecotone.search.queries import InvalidSearch, search_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def dense(settings):
    settings.ECOTONE_EMBEDDER = "default"
    return get_embedders()[0]


@pytest.fixture
def catalogue(dense, committed):
    with committed():
        storage = SolutionFactory(
            title_en="Battery energy storage for industrial parks",
            description_en="Lithium iron phosphate containers that shave peak demand.",
        )
        heat = SolutionFactory(
            title_en="Heat pumps for district heating",
            description_en="Large heat pumps recover waste heat from sewage water.",
        )
        bus = CaseFactory(  # written only in Chinese (not the factory's English title)
            title_en="",
            title_zh="深圳公交全面电动化",
            description_zh="深圳市一万六千辆公交车全部更换为纯电动车。",
        )
        farm = SolutionFactory(
            title_en="Precision irrigation for smallholder farms",
            description_en="Soil moisture sensors schedule drip irrigation.",
        )
    return {"storage": storage, "heat": heat, "bus": bus, "farm": farm}


def external_ids(page) -> list[str]:
    return [result["external_id"] for result in page.results]


def test_chinese_query_finds_english_only_record(catalogue):
    # words only: through the query's English gloss ("industrial park energy storage")
    lexical = search_records("工业园区储能", mode="lexical")
    assert external_ids(lexical) == [catalogue["storage"].external_id]
    assert "“storage”" in lexical.results[0]["explanation"]
    for mode in ("dense", "hybrid"):
        page = search_records("工业园区储能", mode=mode)
        assert external_ids(page)[0] == catalogue["storage"].external_id
        assert "close in meaning to the English text" in page.results[0]["explanation"]


def test_english_query_finds_chinese_only_record(catalogue):
    page = search_records("electric city buses", mode="hybrid")
    assert catalogue["bus"].external_id in external_ids(page)[:2]


def test_unrelated_records_fall_below_the_similarity_floor(catalogue):
    page = search_records("heat pump waste heat recovery", mode="dense")
    found = external_ids(page)
    assert found[0] == catalogue["heat"].external_id
    assert catalogue["farm"].external_id not in found


def test_hybrid_keeps_exact_word_matches_on_top(catalogue):
    page = search_records("drip irrigation sensors", mode="hybrid")
    assert external_ids(page)[0] == catalogue["farm"].external_id
    assert "“irrig”" in page.results[0]["explanation"] or "irrigation" in page.results[0]["snippet"]


def test_unchanged_text_is_never_embedded_twice(catalogue, committed):
    before = Embedding.objects.count()
    storage = catalogue["storage"]
    with committed():
        storage.save()  # nothing changed: every passage comes from the cache
    assert Embedding.objects.count() == before
    with committed():
        storage.description_en = "Sodium-ion containers that shave peak demand."
        storage.save()
    assert Embedding.objects.count() == before + len(get_embedders())  # one per space
    page = search_records("sodium-ion", mode="dense")
    assert storage.external_id in external_ids(page)


def test_deleted_record_leaves_dense_results(catalogue, committed):
    with committed():
        catalogue["storage"].delete()
    page = search_records("工业园区储能", mode="dense")
    assert catalogue["storage"].external_id not in external_ids(page)


def test_lexical_only_mode_refuses_dense_and_serves_hybrid_lexically(settings):
    settings.ECOTONE_EMBEDDER = "none"
    with pytest.raises(InvalidSearch) as error:
        search_records("storage", mode="dense")
    assert error.value.field == "mode"
    assert search_records("storage", mode="hybrid").mode == "lexical"
    with pytest.raises(InvalidSearch):
        search_records("storage", mode="semantic")


def test_a_repeated_query_reuses_its_vector(dense):
    dense.forget_queries()
    first = dense.embed_query("rooftop solar for schools")
    again = dense.embed_query("rooftop solar for schools")
    assert again is first  # the next page or a facet click does not embed it again
    assert dense.embed_query("rooftop solar") is not first
    dense.forget_queries()
    fresh = dense.embed_query("rooftop solar for schools")
    assert fresh is not first
    assert float(fresh @ first) > 0.999


def test_a_query_and_its_gloss_are_embedded_together_like_one_by_one(dense):
    dense.forget_queries()
    together = dense.embed_query_texts(["屋顶光伏", "roof photovoltaic"])
    dense.forget_queries()
    alone = [dense.embed_query("屋顶光伏"), dense.embed_query("roof photovoltaic")]
    for batched, single in zip(together, alone, strict=True):
        assert float(batched @ single) > 0.999
    remembered = dense.embed_query_texts(["屋顶光伏", "roof photovoltaic"])
    assert all(a is b for a, b in zip(remembered, alone, strict=True))


def test_each_model_embeds_a_query_and_its_gloss_in_the_other_language(catalogue):
    """A Chinese query is embedded with its English gloss, an English one with the Chinese
    glossary terms it names, so each language's records are within reach (queries.FUSION)."""
    e5, use = get_embedders()
    for embedder in (e5, use):
        embedder.forget_queries()
    page = search_records("工业园区储能", mode="dense")
    assert external_ids(page)[0] == catalogue["storage"].external_id
    gloss = page.translation
    for embedder in (e5, use):
        assert set(embedder.__dict__["_recent_queries"]) == {"工业园区储能", gloss}
        embedder.forget_queries()
    page = search_records("electric city buses", mode="dense")
    assert catalogue["bus"].external_id in external_ids(page)[:2]
    for embedder in (e5, use):
        embedded = set(embedder.__dict__["_recent_queries"])
        assert "electric city buses" in embedded
        assert any(re.search(r"[\u4e00-\u9fff]", text) for text in embedded)


def test_use_queries_on_one_thread_match_its_passages(dense):
    """USE embeds queries on one thread and passages on two: still one vector space."""
    use = get_embedders()[1]
    text = "district heating with large heat pumps"
    query, passage = use.embed_queries([text])[0], use.embed_passages([text])[0]
    assert use._query_model is not use._passage_model
    assert float(query @ passage) > 0.9999


def test_e5_embeds_queries_beside_the_word_search_on_one_core(dense):
    from threadpoolctl import threadpool_info

    from ecotone.search.embedding import _query_thread, beside

    e5 = get_embedders()[0]
    e5.forget_queries()
    background = beside(e5, ["rooftop solar for schools"]).result()[0]
    e5.forget_queries()
    here = e5.embed_query("rooftop solar for schools")
    assert float(background @ here) > 0.999

    def openmp_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"]

    assert set(_query_thread().submit(openmp_threads).result()) == {1}


@pytest.fixture
def retrofit_catalogue(dense, committed):
    """Eight English records that a Chinese query's English gloss meets word for word, and
    one record written only in Chinese that only the query's own words meet."""
    with committed():
        english = [
            SolutionFactory(
                title_en=f"Energy retrofit of public buildings, package {n}",
                description_en=(
                    "Energy saving retrofit of public buildings: insulation, glazing, "
                    f"heat pumps and controls for offices and schools (variant {n})."
                ),
            )
            for n in range(8)
        ]
        chinese = SolutionFactory(
            title_en="",
            title_zh="医院楼宇节能改造",
            description_zh="为公立医院楼宇开展节能改造：更换冷水机组，加装楼宇自控系统。",
        )
    return {"english": english, "chinese": chinese}


def test_chinese_query_finds_the_record_written_only_in_chinese(retrofit_catalogue):
    """The gloss's rankings weigh more than the query's own (to reach the English
    catalogue), so without a ranking of their own the records written only in Chinese,
    which only the query's own words and vectors meet, fell below every English match."""
    page = search_records("医院节能改造", mode="hybrid")
    assert page.translation  # the English records are found through the gloss
    assert external_ids(page)[0] == retrofit_catalogue["chinese"].external_id  # 7th before
