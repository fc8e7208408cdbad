"""Published records as schema.org JSON-LD.

Types: organisations are ``Organization``, people ``Person``, solutions ``Product``, cases
``CreativeWork`` (a documented deployment), needs ``Demand``, reports and white papers
``Report``, policies ``Legislation``, articles ``Article``, events ``Event``. schema.org has
no type for an award, only the ``award`` property: an award is written as its winning
organisation's node (same ``@id`` as in the organisations file, so the two merge) carrying
``award``. Bilingual text is a list of language-tagged values.
"""

from ecotone.catalog.exporting import published

SCHEMA_TYPES = {
    "organisation": "Organization",
    "person": "Person",
    "solution": "Product",
    "case": "CreativeWork",
    "need": "Demand",
    "resource": "Report",
    "event": "Event",
    "award": "Organization",
}
RESOURCE_TYPES = {"report": "Report", "white_paper": "Report", "policy": "Legislation"}


def bilingual(record, base: str, english_field: str | None = None) -> list[dict]:
    values = [
        (getattr(record, english_field or f"{base}_en", "") or "", "en"),
        (getattr(record, f"{base}_zh", "") or "", "zh-Hans"),
    ]
    return [{"@value": text, "@language": language} for text, language in values if text]


def _compact(node: dict) -> dict:
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}


def _common(record, base_url: str) -> dict:
    source = record.source_url
    return {
        "@id": f"{base_url}{record.get_absolute_url()}",
        "identifier": record.external_id,
        "url": f"{base_url}{record.get_absolute_url()}",
        "subjectOf": {"@type": "WebPage", "url": source} if source else None,
    }


def _place(record) -> dict | None:
    country = record.country.code if record.country else ""
    if not (record.city or country):
        return None
    return _compact(
        {
            "@type": "Place",
            "address": _compact(
                {
                    "@type": "PostalAddress",
                    "addressLocality": record.city,
                    "addressCountry": country,
                }
            ),
        }
    )


def _organisation_ref(organisation, base_url: str) -> dict | None:
    if organisation is None or not organisation.is_public:
        return None
    return {
        "@id": f"{base_url}{organisation.get_absolute_url()}",
        "@type": "Organization",
        "name": bilingual(organisation, "name"),
    }


def _sectors(record) -> list[dict]:
    return [value for sector in record.sectors.all() for value in bilingual(sector, "name")]


def organisation_node(record, base_url: str) -> dict:
    place = _place(record)
    return {
        "@type": "Organization",
        "name": bilingual(record, "name"),
        "description": bilingual(record, "description"),
        "address": place["address"] if place else None,
        "foundingDate": str(record.founded) if record.founded else None,
        "sameAs": record.website,
        "knowsAbout": _sectors(record),
    }


def person_node(record, base_url: str) -> dict:
    return {
        "@type": "Person",
        "name": bilingual(record, "name"),
        "jobTitle": bilingual(record, "title"),
        "description": bilingual(record, "bio"),
    }


def solution_node(record, base_url: str) -> dict:
    return {
        "@type": "Product",
        "name": bilingual(record, "title"),
        "description": bilingual(record, "description"),
        "manufacturer": _organisation_ref(record.provider, base_url),
        "category": _sectors(record),
        "sameAs": record.url,
    }


def case_node(record, base_url: str) -> dict:
    organisations = [_organisation_ref(org, base_url) for org in record.organisations.all()]
    period = "/".join(str(d) for d in (record.start_date, record.end_date) if d)
    return {
        "@type": "CreativeWork",
        "genre": "case",
        "name": bilingual(record, "title"),
        "description": bilingual(record, "description"),
        "abstract": bilingual(record, "outcomes"),
        "about": _sectors(record),
        "contentLocation": _place(record),
        "temporalCoverage": period,
        "creator": [org for org in organisations if org],
    }


def need_node(record, base_url: str) -> dict:
    budget = None
    if record.budget_min is not None or record.budget_max is not None:
        budget = _compact(
            {
                "@type": "PriceSpecification",
                "minPrice": float(record.budget_min) if record.budget_min is not None else None,
                "maxPrice": float(record.budget_max) if record.budget_max is not None else None,
                "priceCurrency": record.currency,
            }
        )
    return {
        "@type": "Demand",
        "name": bilingual(record, "title"),
        "description": bilingual(record, "problem"),
        "areaServed": _place(record),
        "availabilityEnds": record.deadline.isoformat() if record.deadline else None,
        "priceSpecification": budget,
        "category": _sectors(record),
    }


def resource_node(record, base_url: str) -> dict:
    return {
        "@type": RESOURCE_TYPES.get(record.kind, "Article"),
        "name": bilingual(record, "title"),
        "abstract": bilingual(record, "summary"),
        "publisher": {"@type": "Organization", "name": bilingual(record, "publisher", "publisher")}
        if record.publisher or record.publisher_zh
        else None,
        "datePublished": record.published.isoformat() if record.published else None,
        "inLanguage": "zh-Hans" if record.language == "zh" else "en",
        "sameAs": record.url,
        "about": _sectors(record),
    }


def event_node(record, base_url: str) -> dict:
    place = _place(record) or {}
    if place or record.venue_en or record.venue_zh:
        place = _compact({**place, "@type": "Place", "name": bilingual(record, "venue")})
    organisers = [_organisation_ref(org, base_url) for org in record.organisers.all()]
    return {
        "@type": "Event",
        "name": bilingual(record, "title"),
        "description": bilingual(record, "description"),
        "startDate": record.start_date.isoformat() if record.start_date else None,
        "endDate": record.end_date.isoformat() if record.end_date else None,
        "location": place,
        "organizer": [org for org in organisers if org],
        "sameAs": record.url,
    }


def award_node(record, base_url: str) -> dict:
    """The winner, with the award as its ``award``; the award's own page is ``subjectOf``."""
    winner = _organisation_ref(record.organisation, base_url) or {"@type": "Organization"}
    award_page = f"{base_url}{record.get_absolute_url()}"
    titles = [
        {**value, "@value": f"{value['@value']} ({record.year})"}
        for value in bilingual(record, "title") or bilingual(record, "programme")
    ]
    return {
        **winner,
        "award": titles,
        "subjectOf": [
            {
                "@type": "WebPage",
                "@id": award_page,
                "url": award_page,
                "identifier": record.external_id,
            }
        ],
    }


NODE_BUILDERS = {
    "organisation": organisation_node,
    "person": person_node,
    "solution": solution_node,
    "case": case_node,
    "need": need_node,
    "resource": resource_node,
    "event": event_node,
    "award": award_node,
}


def record_node(kind_name: str, record, base_url: str) -> dict:
    node = NODE_BUILDERS[kind_name](record, base_url)
    if kind_name != "award":
        node = {**_common(record, base_url), **node}
    return _compact(node)


def document(kind, *, base_url: str, licence: str, licence_page: str, downloads: dict) -> dict:
    """A JSON-LD document: a ``Dataset`` node describing the file, then one node per record.

    ``downloads`` maps each media type to the URL of the same data in that format.
    """
    graph = [
        record_node(kind.name, record, base_url)
        for record in published(kind).iterator(chunk_size=2000)
    ]
    dataset_node = {
        "@type": "Dataset",
        "@id": downloads.get("application/ld+json", ""),
        "name": f"Ecotone: {kind.plural}",
        "license": licence_page,
        "creditText": licence,
        "isAccessibleForFree": True,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": mime, "contentUrl": url}
            for mime, url in downloads.items()
        ],
    }
    # The licence at the top as well: the document (the graph, named by the file's URL) is
    # under it, so a reader need not look for the Dataset node to find it.
    return {
        "@context": "https://schema.org",
        "@id": dataset_node["@id"],
        "license": licence_page,
        "creditText": licence,
        "@graph": [dataset_node, *graph],
    }
