from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import MessagePreferencesForm
from .services import message_preferences_update


@login_required
@require_POST
def message_preferences(request: HttpRequest) -> HttpResponse:
    """Save the optional e-mails chosen on the profile page."""
    form = MessagePreferencesForm(request.POST, instance=request.user)
    if form.is_valid():
        message_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
    else:
        messages.error(request, _("Your e-mail preferences could not be saved."))
    return redirect("profile")
