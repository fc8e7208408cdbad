"""Model fields of the catalogue."""

from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import Countries, countries
from django_countries.fields import CountryField

#: the jurisdiction of a document that is not one country's: the European Union (ISO 3166-1
#: reserves ``EU`` for it) and international instruments, treaties and standards (``INT``,
#: as the internet's ``.int`` names the bodies that make them: IMO, ICAO, ISO)
EUROPEAN_UNION = "EU"
INTERNATIONAL = "INT"


@cache
def known_country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class Jurisdictions(Countries):
    """Every country, the European Union and "international": what a document may govern."""

    override = {EUROPEAN_UNION: _("European Union"), INTERNATIONAL: _("International")}


class CountryCodeField(CountryField):
    """django-countries' field, checking a code by a look-up in the set of known codes.

    Its own check builds the translated list of every country for each value it checks:
    5 ms a row, more than the rest of an imported row's checks together.
    """

    def known_codes(self) -> frozenset[str]:
        if self.countries is countries:
            return known_country_codes()
        known = self.__dict__.get("_known_codes")
        if known is None:
            known = self._known_codes = frozenset(self.countries.countries)
        return known

    def validate(self, value, model_instance) -> None:
        if not self.editable:
            return
        values = value if self.multiple else [value]
        for single in values or ():
            if single not in self.empty_values and str(single) not in self.known_codes():
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(single)},
                )
        if not self.blank and value in self.empty_values:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def deconstruct(self):
        # Stored as django-countries' field: the columns are the same, and a migration
        # would rebuild every table with a country for nothing.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django_countries.fields.CountryField", args, kwargs
