"""Every data source the bundled demo set draws on, with its licence (the "about the data" page)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

DATA_SOURCES: list[dict[str, Any]] = [
    {
        "name": "Shenzhen Session, China Pavilion, COP28 (Dubai, 5 December 2023)",
        "used_for": _(
            "the event, its organisers, the Top Ten Green and Low-Carbon Cases 2023 "
            "and the documents released there"
        ),
        "licence": _("public facts, restated in our own words"),
        "url": "",
    },
    {
        "name": "Open Sustainable Technology (protontypes/open-sustainable-technology)",
        "used_for": _("organisations behind open-source climate projects, and the projects"),
        "licence": "CC BY 4.0",
        "url": "https://github.com/protontypes/open-sustainable-technology",
    },
    {
        "name": "CCUS Policy Hub (liuh886/ccus-policy-hub)",
        "used_for": _(
            "bilingual CCUS and carbon-market policies (summaries written by the "
            "hub's AI agent; demo text, not authoritative)"
        ),
        "licence": "MIT",
        "url": "https://github.com/liuh886/ccus-policy-hub",
    },
    {
        "name": "IEA CCUS Projects Database, via CCUS Policy Hub",
        "used_for": _("CCUS facilities worldwide with their capture capacity"),
        "licence": _("facts from the IEA database; attribution to the IEA"),
        "url": "https://www.iea.org/data-and-statistics/data-tools/ccus-projects-explorer",
    },
    {
        "name": _("News and registry pages on deployed wind, solar and waste-heat projects"),
        "used_for": _("deployed project cases with the reductions their publishers claim"),
        "licence": _("facts restated in our own words, each with its source URL"),
        "url": "",
    },
    {
        "name": "Climatiq Open Emission Factors Database",
        "used_for": _("emission factors (shipped in data/third_party/, not yet loaded)"),
        "licence": "CC BY-SA 4.0",
        "url": "https://github.com/climatiq/Open-Emission-Factors-DB",
    },
    {
        "name": _(
            "China MEE/NBS electricity CO2 emission factors; IPCC 2006 defaults; "
            "IPCC AR4/AR5/AR6 GWP100"
        ),
        "used_for": _("emission-factor reference data (shipped in data/sources/)"),
        "licence": _("published government and IPCC figures, cited"),
        "url": "",
    },
]
