"""Conflicts of interest between reviewers and submissions: declared and detected.

Detected ties, from what the platform knows:
- the reviewer is an active member of the applicant organisation;
- their catalogue person has (or had) an affiliation with it;
- an organisation they belong to (membership or affiliation) invested in the applicant, or the
  applicant invested in it (``catalog.Investment``, recorded from public sources);
- their e-mail address has the applicant's domain (its website, or its members' addresses),
  public webmail domains excepted.

Declared ones: organisations the reviewer lists, and submissions they flag from their queue.
A manager may override a *detected* conflict with a reason; a declared one always stands.
``ConflictIndex`` loads everything for many pairs at once, so the assignment of hundreds of
submissions asks the database a fixed number of questions.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils.translation import gettext as _

from ecotone.accounts.models import Membership, MembershipStatus
from ecotone.catalog.models import Affiliation, Investment, Organisation

from .models import ConflictKind, ConflictNote, Reviewer, Submission

PUBLIC_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.cn",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "mail.ru",
        "qq.com",
        "vip.qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "139.com",
        "189.cn",
        "tom.com",
    ]
)


@dataclass(frozen=True)
class ConflictReason:
    code: str  # member, affiliation, investor, domain, declared_organisation, declared
    text: str
    detected: bool = True


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in (address or "") else ""


def website_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower() if url else ""
    return host.removeprefix("www.")


def _institutional(domain: str) -> bool:
    return bool(domain) and domain not in PUBLIC_MAIL_DOMAINS


class ConflictIndex:
    """Every conflict between ``reviewers`` and ``submissions``, loaded in bulk."""

    def __init__(self, reviewers: Iterable[Reviewer], submissions: Iterable[Submission]):
        self.reviewers = list(reviewers)
        self.submissions = list(submissions)
        self._load_memberships()
        self._load_affiliations()
        self._load_declared()
        self._load_investments()
        self._load_domains()
        self._load_notes()

    def _load_memberships(self) -> None:
        users = {r.user_id for r in self.reviewers}
        applicants = {s.applicant_id for s in self.submissions}
        self.member_orgs: dict[int, set[int]] = defaultdict(set)
        self.applicant_member_domains: dict[int, set[str]] = defaultdict(set)
        rows = Membership.objects.filter(status=MembershipStatus.ACTIVE).filter(
            user_id__in=users
        ) | Membership.objects.filter(
            status=MembershipStatus.ACTIVE, organisation_id__in=applicants
        )
        for user_id, org_id, address in rows.values_list(
            "user_id", "organisation_id", "user__email"
        ):
            if user_id in users:
                self.member_orgs[user_id].add(org_id)
            if org_id in applicants and _institutional(email_domain(address)):
                self.applicant_member_domains[org_id].add(email_domain(address))

    def _load_affiliations(self) -> None:
        people = {r.person_id for r in self.reviewers if r.person_id}
        self.affiliations: dict[int, list[Affiliation]] = defaultdict(list)
        for affiliation in Affiliation.objects.filter(person_id__in=people):
            self.affiliations[affiliation.person_id].append(affiliation)

    def _load_declared(self) -> None:
        through = Reviewer.declared_organisations.through
        self.declared: dict[int, set[int]] = defaultdict(set)
        rows = through.objects.filter(reviewer_id__in=[r.pk for r in self.reviewers])
        for reviewer_id, org_id in rows.values_list("reviewer_id", "organisation_id"):
            self.declared[reviewer_id].add(org_id)

    def _reviewer_orgs(self, reviewer: Reviewer) -> set[int]:
        affiliated = {a.organisation_id for a in self.affiliations.get(reviewer.person_id, [])}
        return self.member_orgs.get(reviewer.user_id, set()) | affiliated

    def _load_investments(self) -> None:
        """(one org, other org) -> investments between them, either way, for the reviewers'
        organisations and the applicants."""
        mine = set().union(*(self._reviewer_orgs(r) for r in self.reviewers))
        applicants = {s.applicant_id for s in self.submissions}
        rows = Investment.objects.filter(
            Q(investor_id__in=mine, investee_id__in=applicants)
            | Q(investor_id__in=applicants, investee_id__in=mine)
        ).select_related("investor", "investee")
        self.investments: dict[tuple[int, int], list[Investment]] = defaultdict(list)
        for investment in rows.order_by("year", "pk"):
            self.investments[(investment.investor_id, investment.investee_id)].append(investment)

    def _load_domains(self) -> None:
        self.applicant_domains: dict[int, set[str]] = {}
        for submission in self.submissions:
            domains = set(self.applicant_member_domains.get(submission.applicant_id, set()))
            domains.add(website_domain(submission.applicant.website))
            if submission.created_by_id and submission.created_by:
                domains.add(email_domain(submission.created_by.email))
            self.applicant_domains[submission.pk] = {d for d in domains if _institutional(d)}

    def _load_notes(self) -> None:
        notes = ConflictNote.objects.filter(
            reviewer__in=[r.pk for r in self.reviewers],
            submission__in=[s.pk for s in self.submissions],
        )
        self.notes: dict[tuple[int, int], dict[str, str]] = defaultdict(dict)
        for note in notes:
            self.notes[(note.reviewer_id, note.submission_id)][note.kind] = note.reason

    def detected(self, reviewer: Reviewer, submission: Submission) -> list[ConflictReason]:
        applicant, name = submission.applicant_id, submission.applicant.label
        reasons = []
        if applicant in self.member_orgs.get(reviewer.user_id, set()):
            reasons.append(ConflictReason("member", _("member of %(org)s") % {"org": name}))
        for affiliation in self.affiliations.get(reviewer.person_id, []):
            if affiliation.organisation_id == applicant:
                reasons.append(ConflictReason("affiliation", _affiliation_text(affiliation, name)))
        for org_id in sorted(self._reviewer_orgs(reviewer)):
            ties = self.investments.get((org_id, applicant), [])
            ties += self.investments.get((applicant, org_id), [])
            reasons += [ConflictReason("investor", investment_text(i, org_id)) for i in ties]
        domain = email_domain(reviewer.user.email)
        if domain and domain in self.applicant_domains.get(submission.pk, set()):
            text = _("e-mail address at %(domain)s, a domain of the applicant")
            reasons.append(ConflictReason("domain", text % {"domain": domain}))
        return reasons

    def declared_reasons(self, reviewer: Reviewer, submission: Submission) -> list[ConflictReason]:
        reasons = []
        if submission.applicant_id in self.declared.get(reviewer.pk, set()):
            text = _("declared a conflict with %(org)s") % {"org": submission.applicant.label}
            reasons.append(ConflictReason("declared_organisation", text, detected=False))
        note = self.notes.get((reviewer.pk, submission.pk), {}).get(ConflictKind.DECLARED)
        if note is not None:
            text = _("declared a conflict with this submission: %(reason)s") % {"reason": note}
            reasons.append(ConflictReason("declared", text, detected=False))
        return reasons

    def override_reason(self, reviewer: Reviewer, submission: Submission) -> str | None:
        return self.notes.get((reviewer.pk, submission.pk), {}).get(ConflictKind.OVERRIDE)

    def reasons(self, reviewer: Reviewer, submission: Submission) -> list[ConflictReason]:
        """What stands between them, after any override of the detected ties."""
        declared = self.declared_reasons(reviewer, submission)
        if self.override_reason(reviewer, submission) is not None:
            return declared
        return self.detected(reviewer, submission) + declared

    def conflicted(self, reviewer: Reviewer, submission: Submission) -> bool:
        return bool(self.reasons(reviewer, submission))


def _affiliation_text(affiliation: Affiliation, name: str) -> str:
    if affiliation.end:
        return _("was affiliated with %(org)s until %(year)s") % {
            "org": name,
            "year": affiliation.end.year,
        }
    return _("affiliated with %(org)s") % {"org": name}


def investment_text(investment: Investment, reviewer_org_id: int) -> str:
    """Why an investment ties a reviewer's organisation to another, naming both, the round
    and the year as the catalogue records them."""
    names = {
        "investor": investment.investor.label,
        "investee": investment.investee.label,
        "when": investment.when or _("round and year not recorded"),
    }
    if investment.investor_id == reviewer_org_id:
        text = _(
            "%(investor)s, an organisation they belong to, invested in %(investee)s (%(when)s)"
        )
    else:
        text = _("%(investor)s invested in %(investee)s, an organisation they belong to (%(when)s)")
    return text % names


def conflict_reasons(reviewer: Reviewer, submission: Submission) -> list[ConflictReason]:
    return ConflictIndex([reviewer], [submission]).reasons(reviewer, submission)


def is_conflicted(reviewer: Reviewer, submission: Submission) -> bool:
    return bool(conflict_reasons(reviewer, submission))


# --- a reviewer's ties, independent of any submission (their profile, the dashboard) -------


@dataclass(frozen=True)
class Tie:
    """An organisation (or an e-mail domain) that puts a reviewer in conflict with every
    submission it applies with."""

    code: str  # member, affiliation, investor, domain, declared_organisation
    text: str
    organisation: Organisation | None = None
    detected: bool = True


def reviewer_ties(reviewers: Iterable[Reviewer]) -> dict[int, list[Tie]]:
    """reviewer id -> their detected ties, then their declared organisations; a fixed number
    of queries however many reviewers."""
    reviewers = list(reviewers)
    index = ConflictIndex(reviewers, [])
    orgs = Organisation.objects.in_bulk(
        set().union(*(index._reviewer_orgs(r) for r in reviewers), *index.declared.values())
    )
    portfolio = _investments_of(set().union(*(index._reviewer_orgs(r) for r in reviewers)))
    ties: dict[int, list[Tie]] = {}
    for reviewer in reviewers:
        found = [
            Tie("member", _("member of %(org)s") % {"org": orgs[o].label}, orgs[o])
            for o in sorted(index.member_orgs.get(reviewer.user_id, set()))
            if o in orgs
        ]
        found += [
            Tie(
                "affiliation",
                _affiliation_text(a, orgs[a.organisation_id].label),
                orgs[a.organisation_id],
            )
            for a in index.affiliations.get(reviewer.person_id, [])
            if a.organisation_id in orgs
        ]
        for org_id in sorted(index._reviewer_orgs(reviewer)):
            for investment in portfolio.get(org_id, []):
                other = (
                    investment.investee if investment.investor_id == org_id else investment.investor
                )
                found.append(Tie("investor", investment_text(investment, org_id), other))
        domain = email_domain(reviewer.user.email)
        if _institutional(domain):
            text = _("e-mail address at %(domain)s: applicants whose website or members use it") % {
                "domain": domain
            }
            found.append(Tie("domain", text))
        found += [
            Tie("declared_organisation", orgs[o].label, orgs[o], detected=False)
            for o in sorted(index.declared.get(reviewer.pk, set()))
            if o in orgs
        ]
        ties[reviewer.pk] = found
    return ties


def _investments_of(org_ids: set[int]) -> dict[int, list[Investment]]:
    """org id -> the investments it made or received, with both organisations loaded."""
    rows = Investment.objects.filter(
        Q(investor_id__in=org_ids) | Q(investee_id__in=org_ids)
    ).select_related("investor", "investee")
    by_org: dict[int, list[Investment]] = defaultdict(list)
    for investment in rows.order_by("year", "pk"):
        for org_id in {investment.investor_id, investment.investee_id} & org_ids:
            by_org[org_id].append(investment)
    return by_org
