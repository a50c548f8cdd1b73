"""Log lines carry no personal data and no secret: the one handler's filter rewrites each record
before it is written — e-mail addresses (a refused SMTP recipient, a failed sign-in), the
secrets that travel in addresses (calendar feeds, password-reset and invitation links, which
Django's "Not Found" and the development server's request lines would print), API keys in
headers and passwords in key=value text. The message, its arguments and any traceback are
redacted alike; what the line says about the system stays."""

import logging
import re

REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(/ical/(?:company|machine)/)[^/\s\"'?]+(\.ics)"), r"\1[secret]\2"),
    (re.compile(r"(/(?:password-reset|invitation)/)[^/\s\"']+/[^/\s\"'?]+"), r"\1[secret]"),
    (re.compile(r"\b(Token|Bearer)\s+[\w.~+/=-]+"), r"\1 [secret]"),
    (re.compile(r"(password\w*[\"']?\s*[:=]\s*)[\"']?[^\s&\"',}]+", re.I), r"\1[secret]"),
)


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Attached to the handler (not a logger), so that every logger's records pass through it,
    Django's, Celery's and the libraries' included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: say so, no data
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
