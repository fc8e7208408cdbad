"""What of the catalogue can be searched: one index per kind, found by the search app.

Only public records are indexed (people only with their consent); ``search`` reads these
declarations through its registry and never imports the models itself.
"""

from ecotone.search.registry import SearchIndex, register_search

from . import models

SECTORS = {"sector": "sectors"}
PLACE = {"country": "country", "city": "city"}
STATUS = {"status": "status"}


@register_search
class OrganisationIndex(SearchIndex):
    kind = "organisation"
    model = models.Organisation
    title_fields = ("name_en", "name_zh")
    body_fields = ("description_en", "description_zh", "city", "city_zh")
    facet_fields = {**SECTORS, **PLACE, "year": "founded", **STATUS}
    m2m_fields = ("sectors",)


@register_search
class PersonIndex(SearchIndex):
    kind = "person"
    model = models.Person
    title_fields = ("name_en", "name_zh")
    body_fields = ("title_en", "title_zh", "bio_en", "bio_zh")
    facet_fields = {**STATUS}


@register_search
class SolutionIndex(SearchIndex):
    kind = "solution"
    model = models.Solution
    title_fields = ("title_en", "title_zh")
    body_fields = ("description_en", "description_zh", "abatement_basis")
    facet_fields = {**SECTORS, "country": "regions", "trl": "trl", **STATUS}
    m2m_fields = ("sectors",)


@register_search
class CaseIndex(SearchIndex):
    kind = "case"
    model = models.Case
    title_fields = ("title_en", "title_zh")
    body_fields = (
        "description_en",
        "description_zh",
        "outcomes_en",
        "outcomes_zh",
        "city",
        "city_zh",
    )
    facet_fields = {**SECTORS, **PLACE, "year": "start_date", **STATUS}
    m2m_fields = ("sectors",)


@register_search
class NeedIndex(SearchIndex):
    kind = "need"
    model = models.Need
    title_fields = ("title_en", "title_zh")
    body_fields = ("problem_en", "problem_zh", "city", "city_zh")
    facet_fields = {**SECTORS, **PLACE, "year": "created_at", **STATUS}
    m2m_fields = ("sectors",)


@register_search
class ResourceIndex(SearchIndex):
    kind = "resource"
    model = models.Resource
    title_fields = ("title_en", "title_zh")
    body_fields = ("summary_en", "summary_zh", "publisher", "publisher_zh", "text")
    chunked_fields = ("text",)
    facet_fields = {**SECTORS, "year": "published", **STATUS}
    m2m_fields = ("sectors",)


@register_search
class EventIndex(SearchIndex):
    kind = "event"
    model = models.Event
    title_fields = ("title_en", "title_zh")
    body_fields = ("description_en", "description_zh", "venue_en", "venue_zh", "city", "city_zh")
    facet_fields = {**PLACE, "year": "start_date", **STATUS}
