"""Secrets, response headers and redirect safety."""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG


def new_token() -> str:
    """A fresh URL-safe secret token of 256 bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_short_token() -> str:
    """A 128-bit URL-safe token, short enough to type from a poster or a QR code."""
    return secrets.token_urlsafe(16)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex-encoded."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def csp_nonce() -> str:
    """This response's nonce for inline scripts, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    """Add the headers every response carries (QUALITY.md R16)."""
    response.headers["Content-Security-Policy"] = _content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config.get("HSTS_ENABLED"):
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if getattr(g, "no_referrer", False):
        response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def mark_token_page() -> None:
    """This page's URL carries a secret: send no Referer from it."""
    g.no_referrer = True


def is_safe_next(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (no scheme, host or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it stays on this site, else ``default``."""
    return target if is_safe_next(target) else default


def init_security(app: Flask) -> None:
    """Register the header hook and the nonce template global."""
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
