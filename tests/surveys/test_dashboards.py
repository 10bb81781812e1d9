"""The coordinator's and the convenor's results dashboards: figures equal the stored results,
members below the minimum group size show nothing, peers stay anonymised when they must,
and pages say "Results updating" rather than show figures about to change."""

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from maturity.accounts.models import Role
from maturity.collaboratives.models import PeerVisibility
from maturity.db import db
from maturity.results.models import ALL_RESPONDENTS, BenchmarkResult, DimensionResult
from surveys.dashboards.collaborative import collaborative_dashboard
from surveys.dashboards.member import member_dashboard
from surveys.rounds.models import Participation, Round
from tests.conftest import FOREIGN_MARKER, RequestIsolatingClient
from tests.factories import RoleGrantFactory, UserFactory
from tests.helpers import sign_in
from tests.surveys.dashboard_support import SMALL_RESPONSES, seed_results

NOT_ENOUGH = "Not enough responses to report"
UPDATING = "Results updating"
MEMBER_PAGE = "/o/home-council/results/"
CONVENOR_PAGE = "/c/home-partnership/results/"


@pytest.fixture
def seeded(world):
    return seed_results(world)


def client_for(app, email: str):
    app.test_client_class = RequestIsolatingClient
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def small_coordinator(seeded) -> str:
    user = UserFactory(email="small@example.org", name="Sam Small")
    organisation = db.session.get(Participation, seeded.small_participation_id).organisation
    RoleGrantFactory(user=user, role=Role.COORDINATOR, organisation=organisation)
    db.session.commit()
    return user.email


def stored_rows(participation_id: int) -> dict[str, DimensionResult]:
    rows = db.session.scalars(
        sa.select(DimensionResult).where(
            DimensionResult.participation_id == participation_id,
            DimensionResult.segment == ALL_RESPONDENTS,
        )
    )
    return {row.dimension_key: row for row in rows}


def cells(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody.*?</tbody>", table.group(0), re.S).group(0)
    rows = re.findall(r"<tr.*?</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def test_the_member_dashboard_reads_the_stored_results(seeded):
    participation = db.session.get(Participation, seeded.home_participation_id)
    dashboard = member_dashboard(participation)
    stored = stored_rows(participation.id)
    medians = {
        b.dimension_key: b.median
        for b in db.session.scalars(
            sa.select(BenchmarkResult).where(BenchmarkResult.round_id == seeded.latest_round_id)
        )
    }
    dimensions = participation.round.framework_version.dimensions

    assert dashboard.is_reportable
    assert [row.dimension for row in dashboard.headline] == [d.name for d in dimensions]
    for dimension, row, next_level in zip(
        dimensions, dashboard.headline, dashboard.next_levels, strict=True
    ):
        result = stored[dimension.key]
        assert (row.n, row.mean, row.ci_low, row.ci_high) == (
            result.n,
            result.mean,
            result.ci_low,
            result.ci_high,
        )
        assert row.level.number == result.level
        assert row.median == medians[dimension.key]
        assert next_level.next.number == result.level + 1
        assert next_level.descriptor == dimension.descriptor_for(result.level + 1)
        assert next_level.descriptor
    assert [h.round_id for h in dashboard.history] == seeded.round_ids


def test_the_coordinator_sees_levels_next_levels_response_rate_and_history(app, world, seeded):
    participation = db.session.get(Participation, seeded.home_participation_id)
    dashboard = member_dashboard(participation)
    client = client_for(app, world.coordinator.email)

    html = client.get(MEMBER_PAGE).get_data(as_text=True)

    headline = cells(html, "headline")
    for row, shown in zip(dashboard.headline, headline, strict=True):
        assert shown[0] == row.dimension
        assert shown[1] == row.level.label
        assert shown[2] == f"{row.mean:.2f}"
    for row in dashboard.next_levels:
        assert str(escape(row.descriptor)) in html
    rate = round(100 * dashboard.counts.submitted / participation.eligible_staff)
    assert f"{rate}%" in html
    history = cells(html, "history")
    assert [r[0] for r in history] == [h.round_name for h in dashboard.history]
    assert NOT_ENOUGH not in html
    assert FOREIGN_MARKER not in html
    assert "Peer Council" in html  # peers are named in this collaborative…
    assert "Small Council" not in html  # …but a member below k is in no chart or table


def test_the_convenor_sees_a_member_below_k_only_in_the_participation_counts(app, world, seeded):
    client = client_for(app, world.convenor.email)

    html = client.get(CONVENOR_PAGE).get_data(as_text=True)

    participation = re.search(r'<table[^>]*id="participation".*?</table>', html, re.S).group(0)
    rest = html.replace(participation, "")
    assert "Small Council" in participation
    assert 'data-kind="heatmap"' in rest
    assert "Peer Council" in rest
    assert "Small Council" not in rest


def test_the_round_picker_shows_a_past_round(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    first = db.session.get(Round, seeded.round_ids[0])

    html = client.get(f"{MEMBER_PAGE}?round={first.id}").get_data(as_text=True)

    assert f"Results: {first.name}" in html
    assert f'<option value="{first.id}" selected>' in html
    history = cells(html, "history")
    assert [r[0] for r in history] == [first.name]  # nothing after the round shown


def test_an_unknown_round_shows_the_latest_with_a_message(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    latest = db.session.get(Round, seeded.latest_round_id)

    response = client.get(f"{MEMBER_PAGE}?round=999999")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That round has no results for your organisation" in html
    assert f"Results: {latest.name}" in html


def test_a_member_below_k_shows_not_enough_responses_everywhere(app, seeded):
    client = client_for(app, small_coordinator(seeded))

    html = client.get("/o/small-council/results/").get_data(as_text=True)

    assert NOT_ENOUGH in html
    assert 'id="headline"' not in html
    assert "What the next level looks like" not in html
    assert "Make a PDF report" not in html
    latest_row = cells(html, "history")[-1]
    assert latest_row[1] == str(SMALL_RESPONSES)
    assert latest_row[2] == NOT_ENOUGH


def test_a_member_below_k_is_left_out_of_the_convenors_benchmarks(seeded, world):
    small = db.session.get(Participation, seeded.small_participation_id)
    dashboard = collaborative_dashboard(world.collaborative, small.round, None)
    stored = {
        b.dimension_key: b
        for b in db.session.scalars(
            sa.select(BenchmarkResult).where(BenchmarkResult.round_id == small.round_id)
        )
    }
    keys = [d.key for d in small.round.framework_version.dimensions]

    assert (dashboard.members_in_group, dashboard.members_reported) == (3, 2)
    for key, row in zip(keys, dashboard.benchmarks, strict=True):
        expected = stored[key]
        assert row.n_members == expected.n_members == 2
        assert (row.median, row.q1, row.q3, row.minimum, row.maximum) == pytest.approx(
            (expected.median, expected.q1, expected.q3, expected.minimum, expected.maximum)
        )


def test_a_comparator_group_limits_the_benchmarks_to_its_members(app, world, seeded):
    client = client_for(app, world.convenor.email)
    peer = db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == seeded.latest_round_id,
            Participation.organisation_id == world.peer.id,
        )
    ).one()
    peer_means = stored_rows(peer.id)

    html = client.get(f"{CONVENOR_PAGE}?group=coastal").get_data(as_text=True)

    # Coastal: the peer (reported) and the small council (below k).
    assert "1 of 2 members" in html
    participation = [row[0] for row in cells(html, "participation")]
    assert participation == ["Peer Council", "Small Council"]
    benchmarks = cells(html, "benchmarks")
    dimensions = peer.round.framework_version.dimensions
    for dimension, row in zip(dimensions, benchmarks, strict=True):
        assert row[0] == dimension.name
        assert row[1] == "1"
        assert row[4] == f"{peer_means[dimension.key].mean:.2f}"


def test_an_unknown_comparator_group_shows_every_member(app, world, seeded):
    client = client_for(app, world.convenor.email)

    html = client.get(f"{CONVENOR_PAGE}?group=nowhere").get_data(as_text=True)

    assert "No member carries that comparator tag" in html
    assert "2 of 3 members" in html


def test_pages_say_results_are_updating_instead_of_showing_figures(app, world, seeded):
    participation = db.session.get(Participation, seeded.home_participation_id)
    participation.answers_version += 1  # a submission whose results are not computed yet
    db.session.commit()

    member = client_for(app, world.coordinator.email).get(MEMBER_PAGE).get_data(as_text=True)
    convenor = client_for(app, world.convenor.email).get(CONVENOR_PAGE).get_data(as_text=True)

    assert UPDATING in member
    assert 'id="headline"' not in member
    assert "Make a PDF report" not in member
    assert UPDATING in convenor
    assert 'id="benchmarks"' not in convenor


def test_anonymised_peers_are_never_named_to_a_coordinator(app, world, seeded):
    world.collaborative.peer_visibility = PeerVisibility.ANONYMISED
    db.session.commit()
    client = client_for(app, world.coordinator.email)

    html = client.get(MEMBER_PAGE).get_data(as_text=True)

    assert 'id="headline"' in html
    assert "Peer Council" not in html
    assert "Small Council" not in html


def test_a_dashboard_without_rounds_says_so(app, world):
    client = client_for(app, world.coordinator.email)

    member = client.get(MEMBER_PAGE)
    convenor = client_for(app, world.convenor.email).get(CONVENOR_PAGE)

    assert member.status_code == 200
    assert "has not taken part in a survey round yet" in member.get_data(as_text=True)
    assert convenor.status_code == 200
    assert "No round has opened yet" in convenor.get_data(as_text=True)
