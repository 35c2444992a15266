"""Time-based one-time codes (RFC 6238, with pyotp) and recovery codes: pure functions.

A code is accepted for the current 30-second time step and one step either side (a
phone's clock drifts); the caller keeps the step a code was accepted for, and a code
for that step or an earlier one is refused, so that a code seen over someone's
shoulder cannot be used again. Recovery codes are random (80 bits), so one SHA-256
of each is enough to keep them unreadable in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from markupsafe import Markup

VALID_WINDOW = 1  # time steps accepted either side of the current one
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (as text or from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_code_svg(uri: str) -> Markup:
    """The otpauth URI as a QR code, an inline SVG made here (nothing loaded from elsewhere)."""
    import segno  # only the enrolment page draws a QR code

    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, title="QR code of the address below", svgclass="totp-qr"
    )
    # segno writes only its own elements and the escaped title; the URI is encoded as modules.
    return Markup(svg)  # noqa: S704  # nosec B704


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code: str) -> str:
    """What the user typed, without spaces or hyphens, upper case."""
    return "".join(code.split()).replace("-", "").upper()


def matching_step(
    secret: str, code: str, *, after: int | None, at: float | None = None
) -> int | None:
    """The time step code is valid for (within the window, later than after), or None."""
    code = normalize_code(code)
    if not secret or not (code.isdigit() and len(code) == 6):
        return None  # no secret (or one no key could decrypt) matches no code
    totp = pyotp.TOTP(secret)
    now = int((time.time() if at is None else at) // totp.interval)
    found = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        # Compare every step in constant time, so the answer's timing tells nothing.
        if hmac.compare_digest(totp.generate_otp(step), code) and (after is None or step > after):
            found = step
    return found


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Single-use recovery codes as shown to the user: XXXX-XXXX-XXXX-XXXX."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """How a recovery code is stored and looked up."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    code = normalize_code(code)
    return len(code) == 16 and all(c in _RECOVERY_ALPHABET for c in code)
