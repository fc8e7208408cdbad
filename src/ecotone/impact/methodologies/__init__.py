"""The methodologies. Importing this package registers every one of them."""

from . import electricity, fuels, general, periods, transport  # noqa: F401
