"""The pages' addresses. ``/``, ``/machines/``, ``/machines/<id>/`` and ``/bookings/`` are part
of the contract (bookmarks, e-mails); pages of the account keep their earlier names."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, reverse_lazy

from .views import (
    account,
    booking,
    catalogue,
    feedback,
    identity,
    invitations,
    invoices,
    measure,
    media,
    operator,
    reports,
    training,
    waiting,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"

pages = [
    path("machines/", catalogue.machines, name="machines"),
    path("machines/platforms/", catalogue.platform_suggestions, name="platform-suggestions"),
    path("machines/<int:pk>/", catalogue.machine, name="machine"),
    path("machines/<int:pk>/book/", booking.book, name="book"),
    path("machines/<int:pk>/use/", measure.use, name="machine-use"),
    path("operator/machines/<int:pk>/qr/", measure.qr_sheet, name="operator-machine-qr"),
    path(
        "machines/<int:pk>/photos/<int:photo_pk>/<str:size>.jpg",
        media.photo,
        name="machine-photo",
    ),
    path(
        "machines/<int:pk>/documents/<int:document_pk>.pdf",
        media.document,
        name="machine-document",
    ),
    path("machines/<int:pk>/quote/", booking.booking_quote, name="quote"),
    path("machines/<int:pk>/qualification/", booking.request_qualification, name="qualification"),
    path("bookings/", booking.bookings, name="bookings"),
    path("training/<int:pk>/enrol/", training.enrol, name="training-enrol"),
    path("training/seats/<int:pk>/withdraw/", training.withdraw, name="training-withdraw"),
    path("operator/training/", operator.trainings, name="operator-trainings"),
    path("operator/training/<int:pk>/", operator.training, name="operator-training"),
    path(
        "operator/training/<int:pk>/attendance/",
        operator.training_attendance_view,
        name="operator-training-attendance",
    ),
    path(
        "operator/training/<int:pk>/cancel/",
        operator.training_cancel_view,
        name="operator-training-cancel",
    ),
    path("invoices/", invoices.invoices, name="invoices"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice-pdf"),
    path("invoices/companies/<int:pk>/", invoices.billing_account, name="billing-account"),
    path("invoices/companies/<int:pk>/de-minimis.pdf", invoices.de_minimis, name="de-minimis"),
    path("bookings/<int:pk>/", booking.booking, name="booking"),
    path("bookings/<int:pk>/cancel/", booking.cancel, name="cancel"),
    path("bookings/<int:pk>/move/", booking.move, name="move"),
    path("bookings/<int:pk>/booking.ics", booking.booking_ics, name="booking-ics"),
    path("bookings/waiting/<int:pk>/leave/", waiting.leave, name="waiting-leave"),
    path("bookings/<int:pk>/feedback/", feedback.feedback, name="feedback"),
    path("operator/incidents/<int:pk>/", feedback.incident, name="operator-incident"),
    path(
        "operator/incidents/<int:pk>/close/", feedback.incident_done, name="operator-incident-close"
    ),
    path("companies/<int:pk>/members/", account.members, name="members"),
    path("operator/", operator.operator_home, name="operator"),
    path("operator/platforms/<int:pk>/", operator.platform_week_view, name="operator-platform"),
    path("operator/bookings/<int:pk>/", operator.operator_booking, name="operator-booking"),
    path("operator/platforms/<int:pk>/closures/", operator.closures, name="operator-closures"),
    path("operator/closures/<int:pk>/", operator.closure, name="operator-closure"),
    path(
        "operator/closures/<int:pk>/occurrence/",
        operator.closure_occurrence,
        name="operator-closure-occurrence",
    ),
    path(
        "operator/closures/<int:pk>/remove/",
        operator.closure_remove,
        name="operator-closure-remove",
    ),
    path("operator/machines/<int:pk>/book/", operator.book_on_behalf, name="operator-book"),
    path("operator/machines/<int:pk>/", operator.machine_edit, name="operator-machine"),
    path("operator/machines/<int:pk>/photos/", media.photo_add, name="operator-photo-add"),
    path(
        "operator/machines/<int:pk>/photos/<int:photo_pk>/remove/",
        media.photo_remove,
        name="operator-photo-remove",
    ),
    path("operator/machines/<int:pk>/documents/", media.document_add, name="operator-document-add"),
    path(
        "operator/machines/<int:pk>/documents/<int:document_pk>/remove/",
        media.document_remove,
        name="operator-document-remove",
    ),
    path("operator/platforms/<int:pk>/hours/", operator.opening_hours, name="operator-hours"),
    path("operator/bookings/<int:pk>/move/", operator.operator_move, name="operator-move"),
    path("operator/bookings/approve/", operator.approve_many, name="operator-approve-many"),
    path("operator/bookings/<int:pk>/approve/", operator.approve, name="operator-approve"),
    path("operator/bookings/<int:pk>/reject/", operator.reject, name="operator-reject"),
    path("operator/bookings/<int:pk>/usage/", operator.record_usage, name="operator-usage"),
    path("operator/bookings/<int:pk>/started/", operator.started, name="operator-started"),
    path("operator/bookings/<int:pk>/ended/", operator.ended, name="operator-ended"),
    path("operator/qualifications/", operator.qualifications, name="operator-qualifications"),
    path(
        "operator/qualifications/recognitions/<int:pk>/remove/",
        operator.recognition_remove_view,
        name="operator-recognition-remove",
    ),
    path(
        "operator/qualifications/<int:pk>/<str:answer>/",
        operator.qualification_answer,
        name="operator-qualification",
    ),
    path("operator/companies/", operator.companies, name="operator-companies"),
    path("operator/billing/", operator.billing, name="operator-billing"),
    path("operator/billing/issue/", operator.issue, name="operator-billing-issue"),
    path("operator/billing/consumable/", operator.consumable, name="operator-consumable"),
    path("operator/billing/journal.csv", operator.journal_csv, name="operator-journal"),
    path(
        "operator/billing/lines/<int:pk>/<str:action>/",
        operator.line_action,
        name="operator-billing-line",
    ),
    path("operator/invoices/<int:pk>/credit/", operator.credit, name="operator-credit"),
    path("operator/platforms/<int:pk>/invoicing/", operator.seller, name="operator-seller"),
    path("operator/companies/<int:pk>/", operator.company, name="operator-company"),
    path(
        "operator/companies/<int:pk>/refuse/",
        operator.refuse_company,
        name="operator-refuse-company",
    ),
    path("reports/", reports.reports, name="reports"),
    path("reports/download/", reports.report_download, name="report-download"),
    path("reports/platforms/", reports.report_platforms, name="report-platforms"),
    path("reports/exports/<int:pk>/", reports.report_export, name="report-export"),
    path("reports/exports/<int:pk>/file/", reports.report_export_file, name="report-export-file"),
    path("reports/subscriptions/", reports.report_subscriptions, name="report-subscriptions"),
    path(
        "reports/subscriptions/<int:pk>/stop/",
        reports.report_subscription_stop,
        name="report-subscription-stop",
    ),
    path(
        "operator/companies/<int:pk>/validate/",
        operator.validate_company,
        name="operator-validate",
    ),
]

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("", include((pages, "web"))),
    path("signup/", account.signup, name="signup"),
    path("signup/sent/", account.signup_sent, name="signup-sent"),
    path("language/", account.language, name="language"),
    path("profile/", account.profile, name="profile"),
    path("profile/messages/", account.message_preferences, name="message-preferences"),
    path("profile/name/", identity.name_set, name="name-set"),
    path("profile/email/", identity.email_change, name="email-change"),
    path("profile/email/resend/", identity.address_link_resend, name="address-resend"),
    path(
        "profile/address/<str:token>/",
        identity.address_confirmation,
        name="address-confirm",
    ),
    path(
        "profile/password/",
        login_required(identity.PasswordChangeView.as_view()),
        name="password-change",
    ),
    path("profile/my-data.json", account.personal_data_download, name="personal-data"),
    path("profile/delete/", account.account_delete, name="account-delete"),
    path("profile/tokens/", account.token_new, name="token-new"),
    path("profile/tokens/<int:pk>/revoke/", account.token_revoke_view, name="token-revoke"),
    path(
        "profile/companies/<int:pk>/ical-token/",
        account.company_feed_regenerate,
        name="company-feed-regenerate",
    ),
    path(
        "profile/machines/<int:pk>/ical-token/",
        account.machine_feed_regenerate,
        name="machine-feed-regenerate",
    ),
    path("password-reset/", account.password_reset, name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="web/account/password_reset_sent.html"
        ),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        identity.PasswordResetConfirmView.as_view(
            template_name="web/account/password_choose.html",
            success_url=reverse_lazy("home"),
            post_reset_login=True,
            post_reset_login_backend=BACKEND,
        ),
        name="password-reset-confirm",
    ),
    path("invitations/<int:pk>/answer/", invitations.invitation_answer, name="invitation-answer"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
]
