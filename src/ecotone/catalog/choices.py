from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    STARTUP = "startup", _("Startup")
    CORPORATE = "corporate", _("Corporate")
    INVESTOR = "investor", _("Investor")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    NGO = "ngo", _("NGO")
    GOVERNMENT = "government", _("Government")
    INTERMEDIARY = "intermediary", _("Intermediary")


class SizeBand(models.TextChoices):
    MICRO = "micro", _("1–9 people")
    SMALL = "small", _("10–49 people")
    MEDIUM = "medium", _("50–249 people")
    LARGE = "large", _("250+ people")
    UNKNOWN = "unknown", _("Unknown")


class InvestmentStage(models.TextChoices):
    PRE_SEED = "pre_seed", _("Pre-seed")
    SEED = "seed", _("Seed")
    SERIES_A = "series_a", _("Series A")
    SERIES_B = "series_b", _("Series B")
    GROWTH = "growth", _("Growth")
    INFRASTRUCTURE = "infrastructure", _("Project / infrastructure")
    GRANT = "grant", _("Grant")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_DISCUSSION = "in_discussion", _("In discussion")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")


class ResourceKind(models.TextChoices):
    REPORT = "report", _("Report")
    WHITE_PAPER = "white_paper", _("White paper")
    POLICY = "policy", _("Policy")
    ARTICLE = "article", _("Article")


class ContentLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh", _("Chinese")
