"""Ecotone's own number formats (``FORMAT_MODULE_PATH``); what is not set here is Django's."""
