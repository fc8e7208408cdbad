"""Model fields of the catalogue."""

from functools import cache

from django.core.exceptions import ValidationError
from django_countries import countries
from django_countries.fields import CountryField


@cache
def known_country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class CountryCodeField(CountryField):
    """django-countries' field, checking a code by a look-up in the set of known codes.

    Its own check builds the translated list of every country for each value it checks:
    5 ms a row, more than the rest of an imported row's checks together.
    """

    def validate(self, value, model_instance) -> None:
        if not self.editable:
            return
        values = value if self.multiple else [value]
        for single in values or ():
            if single not in self.empty_values and str(single) not in known_country_codes():
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
