"""What a measure reports, and how it is printed: one line per measure."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reference:
    """A figure measured in the same run on the same data, to compare the measure with."""

    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class Outcome:
    """A measure's figure, its references, its target and whether the target was met.

    ``ratio`` to a reference is figure ÷ reference (so for times lower is better, for
    throughputs higher); ``met`` is None when the measure has no pass/fail target.
    """

    measure: str
    what: str
    figure: float
    unit: str
    target: str
    met: bool | None
    references: list[Reference] = field(default_factory=list)
    details: str = ""

    def ratio_to(self, reference: Reference) -> float:
        """The figure ÷ a reference's value."""
        return self.figure / reference.value if reference.value else float("inf")


def number(value: float, unit: str) -> str:
    """A figure with its unit, to a sensible precision."""
    if unit in ("s", "ms"):
        return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    if value >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.2f} {unit}"


def verdict(met: bool | None) -> str:
    """PASS, MISS or – (no target)."""
    return {True: "PASS", False: "MISS", None: "–"}[met]


def line_for(outcome: Outcome) -> str:
    """The one line a measure prints."""
    parts = [f"{outcome.measure}  {outcome.what}: {number(outcome.figure, outcome.unit)}"]
    for reference in outcome.references:
        parts.append(
            f"{reference.name} {number(reference.value, reference.unit)} "
            f"(ratio {outcome.ratio_to(reference):.2f}×)"
        )
    parts.append(f"target {outcome.target} [{verdict(outcome.met)}]")
    if outcome.details:
        parts.append(outcome.details)
    return " | ".join(parts)


def failed_line(measure: str, error: BaseException) -> str:
    """The line of a measure that could not run."""
    return f"{measure}  could not run: {type(error).__name__}: {error} [FAILED]"
