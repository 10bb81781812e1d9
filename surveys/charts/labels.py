"""How members are named in peer charts.

The convenor sees every name. A member sees its own name, and a peer's name only when the
collaborative names peers *and* that peer consented, for this round, to be named to other
members; every other peer is "Member A, B…".

The letters must not reveal who is who: they follow neither the members' names nor the
order they joined (both are known to members), nor their results. Each member's place in
the lettering comes from a keyed hash (HMAC with the application's secret key) of the round
and the member, so it is stable from one rendering to the next, differs between rounds, and
cannot be recomputed by anyone without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from maturity.collaboratives.models import PeerVisibility
from surveys.rounds.models import NamingConsent

NAMED_TO_PEERS = frozenset({NamingConsent.PEERS, NamingConsent.PUBLIC})


def anonymous_label(position: int) -> str:
    """Member A, B, … Z, AA, AB, … for the member at ``position`` (from 0)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"Member {letters}"


def lettering_order(secret: str, round_id: int, organisation_ids: list[int]) -> list[int]:
    """The members in a keyed, per-round pseudo-random order."""

    def keyed(organisation_id: int) -> str:
        message = f"chart-labels:{round_id}:{organisation_id}".encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()

    return sorted(organisation_ids, key=keyed)


def is_named_to_peers(visibility: PeerVisibility, consent: NamingConsent) -> bool:
    """Whether other members may see this member's name."""
    return visibility == PeerVisibility.NAMED and consent in NAMED_TO_PEERS


def peer_labels(
    *,
    secret: str,
    visibility: PeerVisibility,
    round_id: int,
    names: dict[int, str],
    consents: dict[int, NamingConsent],
    viewer_organisation_id: int | None,
) -> dict[int, str]:
    """Each member's label as the viewer may see it (``None`` viewer: the convenor)."""
    if viewer_organisation_id is None:
        return dict(names)
    labels: dict[int, str] = {}
    anonymous = []
    for organisation_id, name in names.items():
        consent = consents.get(organisation_id, NamingConsent.CONVENOR_ONLY)
        if organisation_id == viewer_organisation_id or is_named_to_peers(visibility, consent):
            labels[organisation_id] = name
        else:
            anonymous.append(organisation_id)
    for position, organisation_id in enumerate(lettering_order(secret, round_id, anonymous)):
        labels[organisation_id] = anonymous_label(position)
    return labels
