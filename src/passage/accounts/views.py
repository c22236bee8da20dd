"""Log in with a password, then a TOTP code; enrol the authenticator on first login."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from passage.accounts.access import ADMINS, public_view, staff_view
from passage.accounts.forms import LoginForm, NewUserForm, TokenForm
from passage.accounts.models import User
from passage.accounts.totp import enrolment_qr_svg
from passage.audit.chain import record


@public_view
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:two_factor")
    return render(request, "accounts/login.html", {"form": form}, status=400 if request.method == "POST" else 200)


@public_view
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enter the code, or enrol on first login (the QR code is an inline SVG, drawn here)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("cases:dashboard")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record(user, "totp_enrolled", user)
            otp_login(request, device)
            return redirect("cases:dashboard")
        record(user, "totp_failed", user)
        form.add_error("token", _("This code is not right. Check the time on your phone and try the current code."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr_svg"] = enrolment_qr_svg(device)
        # Authenticator apps take the key in base32 (grouped in fours, as they display it).
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/two_factor.html", context, status=400 if request.method == "POST" else 200)


@public_view
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@staff_view(*ADMINS)
def users(request: HttpRequest) -> HttpResponse:
    """Administrators create accounts, reset a second factor, switch accounts off."""
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new = User.objects.create_user(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            role=form.cleaned_data["role"],
        )
        record(request.user, "create", new, detail={"role": new.role})
        messages.success(request, _("Account created. The person enrols their authenticator at first login."))
        return redirect("accounts:users")
    people = User.objects.order_by("username")
    return render(request, "accounts/users.html", {"form": form, "people": people})


@staff_view(*ADMINS)
@require_POST
def reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    TOTPDevice.objects.filter(user=person).delete()
    record(request.user, "totp_reset", person)
    messages.info(request, _("The second factor was reset; the person enrols again at next login."))
    return redirect("accounts:users")


@staff_view(*ADMINS)
@require_POST
def toggle_active(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    if person == request.user:
        messages.error(request, _("You cannot switch off your own account."))
        return redirect("accounts:users")
    person.is_active = not person.is_active
    person.save(update_fields=["is_active"])
    record(request.user, "update", person, detail={"is_active": person.is_active})
    return redirect("accounts:users")
