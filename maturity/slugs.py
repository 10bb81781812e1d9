"""URL slugs made from names."""

import re
import unicodedata

MAX_SLUG_LENGTH = 60


def slugify(text: str) -> str:
    """A lower-case, hyphenated ASCII slug of ``text`` (``"item"`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].strip("-") or "item"


def unique_slug(text: str, is_taken) -> str:
    """``slugify(text)``, with ``-2``, ``-3``… appended until ``is_taken`` says it is free."""
    base = slugify(text)
    candidate, counter = base, 2
    while is_taken(candidate):
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate
