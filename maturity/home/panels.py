"""Panels other packages add to the home page (the core never imports them).

A panel provider takes the signed-in person and returns a :class:`Panel` or None. The app
factory, the composition root, registers providers from the collection package.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

PANELS_KEY = "placewise_home_panels"


@dataclass(frozen=True)
class Panel:
    """A block of the home page: a template and what it needs."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[Any], Panel | None]


def register_home_panel(app: Flask, provider: PanelProvider) -> None:
    """Add a provider of a home page panel."""
    app.extensions.setdefault(PANELS_KEY, []).append(provider)


def panels_for(user) -> list[Panel]:
    """The panels to show ``user``."""
    providers: list[PanelProvider] = current_app.extensions.get(PANELS_KEY, [])
    return [panel for provider in providers if (panel := provider(user)) is not None]
