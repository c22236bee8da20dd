"""TOTP enrolment QR codes, drawn on the server as SVG (no third-party service, no script)."""

from __future__ import annotations

import io

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice


def enrolment_qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="TOTP enrolment code")
    return buffer.getvalue().decode()
