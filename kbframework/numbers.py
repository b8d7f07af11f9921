"""What counts as a number in a query string: ASCII digits only.

Python is generous with digits: str.isdigit() accepts "²" and "①", which
int() then refuses (a 500 where it was trusted), and int() and Decimal()
take full-width and other Unicode digits (U+FF10 to U+FF19), so a typed value
would silently mean a number the reader never wrote. Every numeric query
parameter (page, page_size, every number filter) goes through here.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

_WHOLE = re.compile(r"[0-9]{1,9}", re.ASCII)
# The largest value a numeric parameter takes (nine digits).
WHOLE_NUMBER_MAX = 999_999_999


def whole_number(raw) -> int | None:
    """The value as an int if it is 1 to 9 ASCII digits and nothing else."""
    if isinstance(raw, str) and _WHOLE.fullmatch(raw):
        return int(raw)
    return None


class WholeNumberField(forms.IntegerField):
    """An IntegerField that takes ASCII digits only (no sign, space,
    exponent, decimal point or other script's digits)."""

    default_error_messages = {
        "invalid": "Enter a whole number in ASCII digits, e.g. 2019.",
    }
    # A text box (a phone shows digits): a number box cannot show back a
    # value it refused, and the reader should see what was wrong.
    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {"inputmode": "numeric"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = whole_number(value if isinstance(value, str) else str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number
