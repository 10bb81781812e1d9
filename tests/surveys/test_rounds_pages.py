"""The convenor's round pages: plan a round, watch participation, edit, move through states."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from maturity.audit.models import AuditEvent
from maturity.db import db
from maturity.frameworks.services import new_draft_from
from surveys.rounds.models import ROUND_TRANSITIONS, Participation, Round, RoundState
from surveys.rounds.views import TRANSITION_LABELS
from tests.conftest import table_snapshot
from tests.helpers import sign_in
from tests.surveys.round_helpers import (
    add_response,
    make_round,
    page_csrf,
    participation_of,
    published_version,
)

BASE = "/c/home-partnership/rounds"


def _date(field: str, day: str, month: str, year: str) -> list[tuple[str, str]]:
    return [(field, day), (field, month), (field, year)]


def _new_round_data(token: str, version_id, opens=("30", "3", "2027"), closes=("2", "11", "2027")):
    return MultiDict(
        [
            ("csrf_token", token),
            ("name", "Spring 2027"),
            ("version", str(version_id)),
            *_date("opens_on", *opens),
            *_date("closes_on", *closes),
        ]
    )


def _rounds() -> list[Round]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Round)))


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def test_convenor_creates_a_round_from_a_published_version(convenor, world):
    version = published_version(world.collaborative)
    db.session.commit()
    page = convenor.get(f"{BASE}/new").get_data(as_text=True)
    assert f'value="{version.id}"' in page and version.label in page

    token = page_csrf(convenor, f"{BASE}/new")
    response = convenor.post(f"{BASE}/new", data=_new_round_data(token, version.id))

    (round_,) = _rounds()
    assert response.status_code == 302
    assert response.location.endswith(f"{BASE}/{round_.id}")
    assert round_.name == "Spring 2027" and round_.state == RoundState.DRAFT
    assert round_.framework_version_id == version.id
    # 09:00 British Summer Time is 08:00 UTC; 23:59 GMT (after the clocks go back) is 23:59 UTC.
    assert round_.opens_at == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert round_.closes_at == datetime(2027, 11, 2, 23, 59, tzinfo=UTC)
    members = set(
        db.session.scalars(
            sa.select(Participation.organisation_id).where(Participation.round_id == round_.id)
        )
    )
    assert members == {world.organisation.id, world.peer.id}
    shown = convenor.get(response.location).get_data(as_text=True)
    assert "30 March 2027" in shown and "2 November 2027" in shown and "Draft" in shown


def test_draft_versions_are_not_offered_and_are_refused_if_posted(convenor, world):
    version = published_version(world.collaborative)
    draft = new_draft_from(version, actor_id=None)
    db.session.commit()
    page = convenor.get(f"{BASE}/new").get_data(as_text=True)
    assert f'value="{version.id}"' in page
    assert f'value="{draft.id}"' not in page and draft.label not in page

    before = table_snapshot()
    token = page_csrf(convenor, f"{BASE}/new")
    response = convenor.post(f"{BASE}/new", data=_new_round_data(token, draft.id))

    assert response.status_code == 200
    assert "Choose one of the published framework versions" in response.get_data(as_text=True)
    assert table_snapshot() == before


def test_no_published_version_explains_what_to_do(convenor, world):
    page = convenor.get(f"{BASE}/new").get_data(as_text=True)
    assert "this collaborative has none yet" in page
    assert 'name="version"' not in page


@pytest.mark.parametrize(
    ("opens", "closes", "message", "typed"),
    [
        (("31", "2", "2027"), ("2", "11", "2027"), "Opening date must be a real date", "31"),
        (("30", "3", "2027"), ("2", "", "2027"), "Closing date must include a month", "2"),
        (("", "", ""), ("2", "11", "2027"), "Enter the opening date", "11"),
        (("30", "3", "27"), ("2", "11", "2027"), "Year must include 4 numbers", "27"),
        (("x", "3", "2027"), ("2", "11", "2027"), "Opening date must be a real date", "x"),
        (
            ("30", "3", "2027"),
            ("29", "3", "2027"),
            "The closing date must be the same as or after the opening date",
            "29",
        ),
    ],
)
def test_bad_dates_re_render_with_errors_and_create_nothing(
    convenor, world, opens, closes, message, typed
):
    version = published_version(world.collaborative)
    db.session.commit()
    before = table_snapshot()
    token = page_csrf(convenor, f"{BASE}/new")
    response = convenor.post(f"{BASE}/new", data=_new_round_data(token, version.id, opens, closes))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert html.count(message) == 2  # in the error summary and by the field
    assert f'value="{typed}"' in html and 'value="Spring 2027"' in html
    assert table_snapshot() == before


def test_a_round_can_open_and_close_on_the_same_day(convenor, world):
    version = published_version(world.collaborative)
    db.session.commit()
    token = page_csrf(convenor, f"{BASE}/new")
    data = _new_round_data(token, version.id, ("15", "1", "2027"), ("15", "1", "2027"))
    assert convenor.post(f"{BASE}/new", data=data).status_code == 302
    (round_,) = _rounds()
    assert round_.opens_at == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    assert round_.closes_at == datetime(2027, 1, 15, 23, 59, tzinfo=UTC)


def _buttons(html: str) -> list[str]:
    return re.findall(r'name="state" value="([a-z]+)"', html)


def _move(client, round_id: int, state: str):
    path = f"{BASE}/{round_id}"
    token = page_csrf(client, path)
    return client.post(f"{path}/state", data={"csrf_token": token, "state": state})


def _state(round_id: int) -> RoundState:
    db.session.expire_all()
    return db.session.get(Round, round_id).state


def test_transitions_follow_round_transitions(convenor, world):
    round_id = make_round(world.collaborative, RoundState.DRAFT).id
    path = [RoundState.OPEN, RoundState.CLOSED, RoundState.OPEN, RoundState.CLOSED]
    for target in [*path, RoundState.PUBLISHED]:
        current = _state(round_id)
        html = convenor.get(f"{BASE}/{round_id}").get_data(as_text=True)
        assert _buttons(html) == [s.value for s in ROUND_TRANSITIONS[current]]
        for state in ROUND_TRANSITIONS[current]:
            assert TRANSITION_LABELS[(current, state)][0] in html
        response = _move(convenor, round_id, target.value)
        assert response.status_code == 302
        assert _state(round_id) == target
    assert _buttons(convenor.get(f"{BASE}/{round_id}").get_data(as_text=True)) == []
    events = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "round.state_changed")
    ).all()
    assert [e["state"] for e in events] == [s.value for s in [*path, RoundState.PUBLISHED]]


@pytest.mark.parametrize(
    ("state", "target", "message"),
    [
        (RoundState.DRAFT, "closed", "round that is draft cannot become closed"),
        (RoundState.DRAFT, "published", "round that is draft cannot become published"),
        (RoundState.OPEN, "published", "round that is open cannot become published"),
        (RoundState.PUBLISHED, "open", "round that is published cannot become open"),
        (RoundState.OPEN, "draft", "round that is open cannot become draft"),
        (RoundState.OPEN, "deleted", "Choose what to do with the round"),
    ],
)
def test_illegal_transitions_are_refused_without_change(convenor, world, state, target, message):
    round_id = make_round(world.collaborative, state).id
    before = table_snapshot()
    response = _move(convenor, round_id, target)
    assert response.status_code == 302
    assert table_snapshot() == before
    assert _state(round_id) == state
    assert message in convenor.get(response.location).get_data(as_text=True)


def test_round_list_shows_every_round_with_totals(convenor, world):
    spring = make_round(world.collaborative, RoundState.OPEN, "Spring 2027")
    make_round(world.collaborative, RoundState.DRAFT, "Autumn 2027")
    home = participation_of(spring, world.organisation)
    peer = participation_of(spring, world.peer)
    for participation, submitted in [(home, True), (home, True), (peer, True), (peer, False)]:
        add_response(participation, submitted=submitted)
    db.session.commit()

    html = convenor.get(f"{BASE}/").get_data(as_text=True)
    row = re.search(r"Spring 2027</a>.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)<', row)
    assert cells == ["3", "1"]
    assert "Open" in row and "1 March 2027" in row and "30 April 2027" in row
    assert "Autumn 2027" in html and "Draft" in html


def test_round_show_gives_each_members_counts_and_rate_but_not_who(convenor, world):
    round_ = make_round(world.collaborative)
    home = participation_of(round_, world.organisation)
    home.eligible_staff = 8
    for submitted in (True, True, False):
        add_response(home, submitted=submitted, answers={"one_change": "Zqx distinctive idea"})
    add_response(participation_of(round_, world.peer), submitted=False)
    db.session.commit()

    html = convenor.get(f"{BASE}/{round_.id}").get_data(as_text=True)
    home_row = re.search(r"Home Council</th>.*?</tr>", html, re.S).group(0)
    peer_row = re.search(r"Peer Council</th>.*?</tr>", html, re.S).group(0)
    assert re.findall(r'numeric">([^<]+)<', home_row) == ["8", "2", "1", "25%"]
    assert re.findall(r'numeric">([^<]+)<', peer_row) == ["Not known", "0", "1", "Not known"]
    assert "Zqx distinctive idea" not in html


def test_edit_changes_name_and_dates(convenor, world):
    round_id = make_round(world.collaborative, RoundState.OPEN).id
    path = f"{BASE}/{round_id}/edit"
    page = convenor.get(path).get_data(as_text=True)
    assert 'value="Spring 2027"' in page and 'value="2027"' in page
    token = page_csrf(convenor, path)
    data = MultiDict(
        [
            ("csrf_token", token),
            ("name", "Spring 2027 (extended)"),
            *_date("opens_on", "1", "3", "2027"),
            *_date("closes_on", "15", "5", "2027"),
        ]
    )
    assert convenor.post(path, data=data).status_code == 302
    db.session.expire_all()
    round_ = db.session.get(Round, round_id)
    assert round_.name == "Spring 2027 (extended)"
    assert round_.closes_at == datetime(2027, 5, 15, 22, 59, tzinfo=UTC)


def test_edit_with_closing_before_opening_changes_nothing(convenor, world):
    round_id = make_round(world.collaborative, RoundState.DRAFT).id
    path = f"{BASE}/{round_id}/edit"
    before = table_snapshot()
    token = page_csrf(convenor, path)
    data = MultiDict(
        [
            ("csrf_token", token),
            ("name", "Renamed"),
            *_date("opens_on", "1", "6", "2027"),
            *_date("closes_on", "1", "5", "2027"),
        ]
    )
    response = convenor.post(path, data=data)
    assert response.status_code == 200
    assert "The closing date must be the same as or after the opening date" in response.get_data(
        as_text=True
    )
    assert table_snapshot() == before


def test_a_published_round_cannot_be_edited(convenor, world):
    round_id = make_round(world.collaborative, RoundState.PUBLISHED).id
    path = f"{BASE}/{round_id}/edit"
    token = page_csrf(convenor, f"{BASE}/{round_id}")
    before = table_snapshot()
    data = MultiDict(
        [
            ("csrf_token", token),
            ("name", "Renamed"),
            *_date("opens_on", "1", "3", "2027"),
            *_date("closes_on", "15", "5", "2027"),
        ]
    )
    response = convenor.post(path, data=data)
    assert response.status_code == 302
    assert table_snapshot() == before
    assert "cannot change once its results are published" in convenor.get(
        response.location
    ).get_data(as_text=True)
    show = convenor.get(f"{BASE}/{round_id}").get_data(as_text=True)
    assert f"{BASE}/{round_id}/edit" not in show


def test_collaborative_home_links_to_rounds(convenor, world):
    html = convenor.get("/c/home-partnership/").get_data(as_text=True)
    assert f'href="{BASE}/"' in html


def _round_paths(collab_slug: str, round_id: int) -> list[tuple[str, str]]:
    base = f"/c/{collab_slug}/rounds"
    return [
        ("GET", f"{base}/"),
        ("GET", f"{base}/new"),
        ("POST", f"{base}/new"),
        ("GET", f"{base}/{round_id}"),
        ("GET", f"{base}/{round_id}/edit"),
        ("POST", f"{base}/{round_id}/edit"),
        ("POST", f"{base}/{round_id}/state"),
    ]


@pytest.mark.parametrize("who", ["coordinator", "foreign_convenor"])
def test_coordinators_and_other_convenors_get_404(client, world, who):
    round_id = make_round(world.collaborative, RoundState.DRAFT).id
    sign_in(client, getattr(world, who).email)
    token = page_csrf(client, "/password-reset")
    before = table_snapshot()
    for method, path in _round_paths("home-partnership", round_id):
        data = {"csrf_token": token, "state": "open", "name": "Taken over"}
        response = client.open(path, method=method, data=None if method == "GET" else data)
        assert response.status_code == 404, f"{method} {path}"
    assert table_snapshot() == before


def test_a_convenor_cannot_reach_another_collaboratives_round_through_their_own(convenor, world):
    foreign_id = make_round(world.foreign_collaborative, RoundState.DRAFT).id
    token = page_csrf(convenor, f"{BASE}/")
    before = table_snapshot()
    for method, path in _round_paths("home-partnership", foreign_id)[3:]:
        data = {"csrf_token": token, "state": "open"}
        response = convenor.open(path, method=method, data=None if method == "GET" else data)
        assert response.status_code == 404, f"{method} {path}"
    assert table_snapshot() == before
    for method, path in _round_paths("foreign-network", foreign_id):
        data = {"csrf_token": token, "state": "open"}
        response = convenor.open(path, method=method, data=None if method == "GET" else data)
        assert response.status_code == 404, f"{method} {path}"
