"""The convenor's results dashboard for a collaborative: participation across members,
benchmarks per dimension, the heatmap and the momentum map, for every member or for a
comparator group chosen by membership tag."""

from flask import flash, g, render_template, request

from maturity.tenancy import collaborative_blueprint
from surveys.dashboards.charts import collaborative_chart_views
from surveys.dashboards.collaborative import collaborative_dashboard, comparator_tags
from surveys.dashboards.figures import reported_rounds
from surveys.rounds.models import Round

bp = collaborative_blueprint("collaborative_results", __name__, "/results")


def _chosen_round(rounds: list[Round]) -> Round | None:
    wanted = request.args.get("round", "")
    chosen = next((r for r in rounds if str(r.id) == wanted), None)
    if wanted and chosen is None:
        flash("That round has no results. Choose one from the list.")
    return chosen or (rounds[0] if rounds else None)


def _chosen_tag() -> str | None:
    wanted = request.args.get("group", "")
    if not wanted:
        return None
    if wanted not in comparator_tags(g.collaborative):
        flash("No member carries that comparator tag. Showing every member.")
        return None
    return wanted


@bp.get("/")
def dashboard_show():
    """Every member's results in a round, or a comparator group's."""
    round_ = _chosen_round(reported_rounds(g.collaborative.id))
    tag = _chosen_tag()
    dashboard = collaborative_dashboard(g.collaborative, round_, tag)
    show_figures = dashboard.round is not None and not dashboard.is_updating
    charts = collaborative_chart_views(dashboard.round.id, tag) if show_figures else []
    return render_template("dashboards/collaborative.html", dashboard=dashboard, charts=charts)
