"""Text that people type: names hold one line of printable characters, notes and reasons may
hold line breaks and tabs, and neither holds another control character. A control character
has no meaning on a page, breaks an iCalendar line and is refused by spreadsheets, so every form
and API field refuses it with a clear error (``single_line``, ``multi_line``), and the files we
write drop any that older data may hold (``printable``)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters and DEL, but tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What breaks a line besides "\n" and "\r": str.splitlines() splits on these too.
OTHER_LINE_BREAKS = re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` without the control characters a file format would refuse or misread."""
    return CONTROL.sub("", OTHER_LINE_BREAKS.sub("\n", text))


def single_line(value: str) -> None:
    """A name: one line, no control character."""
    if CONTROL.search(value) or OTHER_LINE_BREAKS.search(value) or re.search(r"[\r\n\t]", value):
        raise ValidationError(
            _("Write this on one line, without control characters."), code="control_character"
        )


def multi_line(value: str) -> None:
    """A note or a reason: line breaks and tabs allowed, no other control character."""
    if CONTROL.search(value):
        raise ValidationError(
            _("This text holds a control character: remove it."), code="control_character"
        )
