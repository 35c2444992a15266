"""Single sign-on for staff through the institution's OpenID provider (Authlib's Flask client).

The provider is found from OIDC_ISSUER (its /.well-known/openid-configuration); the app is
a confidential client (OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) using the authorization-code
flow with PKCE. Authlib keeps the state and nonce in the session and checks the ID token's
signature, issuer, audience, expiry and nonce. Accounts are found by the provider's
subject (`sub`), never by email alone (services.sign_in_with_sso).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

CLIENT_NAME = "institution"
INVITATION = "sso_invitation"  # the invitation token a sign-in through the provider accepts
NEXT = "sso_next"


class ProviderError(Exception):
    """The provider refused, could not be reached, or answered something we cannot trust."""


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str
    email_verified: bool
    name: str


def enabled(app: Flask | None = None) -> bool:
    """Whether single sign-on is configured."""
    return bool((app or current_app).config.get("OIDC_ISSUER"))


def register_sso(app: Flask) -> None:
    """Register the provider as an Authlib client of this app (nothing is fetched yet)."""
    if not enabled(app):
        return
    # Authlib (with its JOSE and cryptography imports) only where single sign-on is on.
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPE"],
            "code_challenge_method": "S256",
            "timeout": app.config["OIDC_TIMEOUT"],
        },
    )
    app.extensions["clerkship_oauth"] = oauth


def client():
    """The app's provider client."""
    return current_app.extensions["clerkship_oauth"].create_client(CLIENT_NAME)


def start(redirect_uri: str):
    """The redirect that sends the browser to the provider's sign-in."""
    try:
        return client().authorize_redirect(redirect_uri)
    except Exception as error:  # discovery failed: network, TLS, a bad answer
        raise ProviderError(
            f"the sign-in service could not be reached ({type(error).__name__})"
        ) from error


def finish() -> Identity:
    """The identity of the provider's answer to this browser's sign-in (ProviderError if none)."""
    from authlib.integrations.base_client import OAuthError

    try:
        token = client().authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if "email" not in claims:
            # Providers that keep the ID token small give the email through userinfo.
            extra = client().userinfo(token=token)
            if extra.get("sub") != claims.get("sub"):
                raise ProviderError("the provider's userinfo names another subject")
            claims.update(extra)
    except OAuthError as error:
        raise ProviderError(error.error or "invalid answer") from error
    except ProviderError:
        raise
    except Exception as error:  # the token endpoint or the keys could not be reached or read
        current_app.logger.exception("Single sign-on could not be completed")
        raise ProviderError(
            f"the sign-in service could not be reached ({type(error).__name__})"
        ) from error
    subject, email = claims.get("sub"), claims.get("email")
    if not subject or not email:
        raise ProviderError("the provider gave no subject or no email")
    return Identity(
        subject=str(subject),
        email=str(email),
        email_verified=claims.get("email_verified") is True,
        name=str(claims.get("name") or ""),
    )
