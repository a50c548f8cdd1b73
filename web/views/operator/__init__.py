"""The operator's pages, by family: ``day`` (what waits today), ``bookings`` (a booking's
page, booking on a company's behalf), ``platforms`` (the week and day, machines' rules,
opening hours), ``setup`` (a new machine, the platform's details, its team), ``closures``,
``qualifications``, ``training``, ``companies`` and ``billing``. Each acts on the platforms
the person operates only; anything else is a 404 (``base``)."""

from .billing import billing, consumable, credit, issue, journal_csv, line_action, seller
from .bookings import book_on_behalf, operator_booking, operator_move
from .closures import closure, closure_occurrence, closure_remove, closures
from .companies import companies, company, refuse_company, validate_company
from .day import approve, approve_many, ended, operator_home, record_usage, reject, started
from .platforms import machine_edit, opening_hours, platform_week_view
from .qualifications import qualification_answer, qualifications, recognition_remove_view
from .setup import machine_new, platform_settings
from .training import training, training_attendance_view, training_cancel_view, trainings

__all__ = [
    "approve",
    "approve_many",
    "billing",
    "book_on_behalf",
    "closure",
    "closure_occurrence",
    "closure_remove",
    "closures",
    "companies",
    "company",
    "consumable",
    "credit",
    "ended",
    "issue",
    "journal_csv",
    "line_action",
    "machine_edit",
    "machine_new",
    "opening_hours",
    "operator_booking",
    "operator_home",
    "operator_move",
    "platform_settings",
    "platform_week_view",
    "qualification_answer",
    "qualifications",
    "recognition_remove_view",
    "record_usage",
    "refuse_company",
    "reject",
    "seller",
    "started",
    "training",
    "training_attendance_view",
    "training_cancel_view",
    "trainings",
    "validate_company",
]
