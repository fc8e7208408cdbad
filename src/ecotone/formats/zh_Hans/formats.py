"""Simplified Chinese: Django's formats, with amounts grouped by thousands.

Django's zh_Hans formats set no thousand separator, so a budget of five million read
5000000 on a Chinese page and 5,000,000 on the English one (the matcher's own sentences
already wrote 5,000,000). Mainland financial and statistical text groups Arabic numerals by
thousands with a comma, as the English pages do.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
