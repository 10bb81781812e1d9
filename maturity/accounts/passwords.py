"""Password hashing and the password policy (NCSC-style: length, not composition)."""

from functools import cache
from importlib.resources import files

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 256
# Verified against when no account matches, so an unknown email costs the same time.
_DUMMY_HASH = generate_password_hash("placewise-timing-equaliser", method="scrypt")


def hash_password(password: str) -> str:
    """An scrypt hash of ``password``."""
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check ``password``; with no stored hash, spend the same time and return False."""
    if stored_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored_hash, password)


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to accept, lower-cased."""
    text = files("maturity.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 3:
        return "Password is too common. Try a few unrelated words together"
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "Password must not contain your email address"
    return None
