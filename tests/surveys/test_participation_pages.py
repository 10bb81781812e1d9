"""The coordinator's participation pages: counts, response rate, the perspective breakdown
with small-group suppression, the shareable link, eligible staff and naming consent."""

import re

import pytest

from maturity.db import db
from surveys.rounds.models import NamingConsent, Participation, RoundState
from tests.conftest import table_snapshot
from tests.helpers import sign_in
from tests.surveys.round_helpers import add_response, make_round, page_csrf, participation_of

ORG = "/o/home-council/rounds"
PERSPECTIVES = ("council_staff", "partner_organisation", "community_representative")
LABELS = {
    "council_staff": "The council",
    "partner_organisation": "A partner organisation",
    "community_representative": "I represent residents or a community group",
}


@pytest.fixture
def coordinator(client, world):
    sign_in(client, world.coordinator.email)
    return client


@pytest.fixture
def participation(world) -> Participation:
    return participation_of(make_round(world.collaborative), world.organisation)


def _seed(participation: Participation, perspectives: dict[str, int], **answers) -> None:
    for perspective, count in perspectives.items():
        for _ in range(count):
            add_response(participation, answers={"perspective": perspective, **answers})
    db.session.commit()


def _breakdown(html: str) -> dict[str, str]:
    table = re.search(r"Submitted responses by perspective.*?</table>", html, re.S).group(0)
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', table)
    return {label.strip(): value.strip() for label, value in rows}


def _row(breakdown: dict[str, str], perspective: str) -> str:
    (value,) = [v for label, v in breakdown.items() if label.startswith(LABELS[perspective])]
    return value


def test_counts_and_response_rate(coordinator, world, participation):
    participation.eligible_staff = 16
    for submitted in (True, True, True, True, False, False):
        add_response(participation, submitted=submitted)
    add_response(participation_of(participation.round, world.peer), submitted=True)
    db.session.commit()

    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    section = html[html.index(">Responses</h2>") : html.index("Who has responded")]
    summary = dict(
        re.findall(
            r'summary-list__key">\s*([^<]+?)\s*</dt>\s*<dd[^>]*>\s*([^<]+?)\s*</dd>', section
        )
    )
    assert summary["Submitted"] == "4"
    assert summary["In progress"] == "2"
    assert summary["Eligible staff"] == "16"
    assert summary["Response rate"] == "25%"

    listing = coordinator.get(f"{ORG}/").get_data(as_text=True)
    row = re.search(r"Spring 2027</a>.*?</tr>", listing, re.S).group(0)
    assert "Home Partnership" in row and "Open" in row
    assert re.findall(r'numeric">(\d+)<', row) == ["4"]


def test_response_rate_is_not_known_without_eligible_staff(coordinator, participation):
    add_response(participation)
    db.session.commit()
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    assert re.search(r"Response rate\s*</dt>\s*<dd[^>]*>\s*Not known", html)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Every group at or above k = 5: all shown.
        ((6, 5, 5), ("6", "5", "5")),
        # One small group: hidden, and the next smallest with it.
        ((9, 6, 2), ("9", "Not shown", "Not shown")),
        # Two small groups adding up to k or more: both hidden, the rest shown.
        ((9, 3, 3), ("9", "Not shown", "Not shown")),
        # Two small groups adding up to fewer than k: the next smallest is hidden too.
        ((9, 3, 1), ("Not shown", "Not shown", "Not shown")),
        # Nobody in a group is about nobody: shown as 0.
        ((12, 0, 0), ("12", "0", "0")),
    ],
)
def test_perspective_counts_are_suppressed_below_k(coordinator, participation, counts, expected):
    _seed(participation, dict(zip(PERSPECTIVES, counts, strict=True)))
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    breakdown = _breakdown(html)
    shown = tuple(_row(breakdown, p) for p in PERSPECTIVES)
    assert shown == expected
    assert breakdown["Total"] == str(sum(counts))
    assert "groups of fewer than 5 are not shown" in html


def test_fewer_than_k_submitted_are_not_broken_down(coordinator, participation):
    _seed(participation, {"council_staff": 3, "partner_organisation": 1})
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    assert "Fewer than 5 responses have been submitted" in html
    assert "Submitted responses by perspective" not in html
    assert LABELS["partner_organisation"] not in html


def test_suppression_follows_the_collaboratives_k(coordinator, world, participation):
    world.collaborative.min_group_size = 3
    _seed(
        participation,
        {"council_staff": 6, "partner_organisation": 4, "community_representative": 3},
    )
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    breakdown = _breakdown(html)
    assert [_row(breakdown, p) for p in PERSPECTIVES] == ["6", "4", "3"]
    assert "groups of fewer than 3 are not shown" in html


def test_only_submitted_responses_count_in_the_breakdown(coordinator, participation):
    _seed(participation, {"council_staff": 5, "partner_organisation": 5})
    for _ in range(4):
        add_response(
            participation, submitted=False, answers={"perspective": "community_representative"}
        )
    db.session.commit()
    breakdown = _breakdown(coordinator.get(f"{ORG}/{participation.round_id}").get_data(True))
    assert breakdown["Total"] == "10"
    assert _row(breakdown, "community_representative") == "0"


DISTINCTIVE = {
    "one_change": "Qvzx-unique free text answer 7391",
    "role_band": "senior_leader",
    "service_area": "housing_and_homelessness",
    "years_in_role": "four_to_ten_years",
}


def test_the_pages_never_show_an_answer(coordinator, world, participation):
    _seed(participation, {"council_staff": 6}, **DISTINCTIVE)
    add_response(participation, submitted=False, answers={"one_change": "Wqpz draft answer 5512"})
    db.session.commit()
    pages = [
        f"{ORG}/",
        f"{ORG}/{participation.round_id}",
        f"{ORG}/{participation.round_id}/invitations",
    ]
    for path in pages:
        html = coordinator.get(path).get_data(as_text=True)
        assert "Qvzx-unique" not in html and "Wqpz draft" not in html
        for value in DISTINCTIVE.values():
            assert value not in html, f"{value} on {path}"
        # Nor the labels of answers other than the perspective breakdown's own categories.
        assert "Senior leader" not in html and "Housing and homelessness" not in html


def test_the_shareable_link_is_shown_in_full(coordinator, participation):
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    assert f"http://localhost/s/{participation.share_code}" in html
    assert "Share this link" in html


def _post(client, path: str, data: dict):
    token = page_csrf(client, f"{ORG}/")
    return client.post(path, data={"csrf_token": token, **data})


def _reload(participation_id: int) -> Participation:
    db.session.expire_all()
    return db.session.get(Participation, participation_id)


def test_eligible_staff_can_be_set_and_cleared(coordinator, participation):
    path = f"{ORG}/{participation.round_id}/eligible-staff"
    response = _post(coordinator, path, {"eligible_staff": "1,250"})
    assert response.status_code == 302
    assert _reload(participation.id).eligible_staff == 1250
    assert "Eligible staff saved" in coordinator.get(response.location).get_data(True)
    assert _post(coordinator, path, {"eligible_staff": ""}).status_code == 302
    assert _reload(participation.id).eligible_staff is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "Eligible staff must be a whole number, like 45"),
        ("-4", "Eligible staff must be a whole number, like 45"),
        ("2000000", "Eligible staff must be a whole number from 0 to 1,000,000"),
    ],
)
def test_bad_eligible_staff_re_renders_and_changes_nothing(
    coordinator, participation, value, message
):
    participation.eligible_staff = 40
    db.session.commit()
    before = table_snapshot()
    response = _post(
        coordinator, f"{ORG}/{participation.round_id}/eligible-staff", {"eligible_staff": value}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html and f'value="{value}"' in html
    assert table_snapshot() == before


def test_naming_consent_offers_every_choice_and_saves(coordinator, participation):
    html = coordinator.get(f"{ORG}/{participation.round_id}").get_data(as_text=True)
    for consent in NamingConsent:
        assert consent.label in html
    path = f"{ORG}/{participation.round_id}/naming-consent"
    response = _post(coordinator, path, {"naming_consent": "public"})
    assert response.status_code == 302
    assert _reload(participation.id).naming_consent == NamingConsent.PUBLIC


def test_unknown_naming_consent_is_refused(coordinator, participation):
    before = table_snapshot()
    path = f"{ORG}/{participation.round_id}/naming-consent"
    response = _post(coordinator, path, {"naming_consent": "everyone"})
    assert response.status_code == 200
    assert "Choose how your organisation may be named" in response.get_data(as_text=True)
    assert table_snapshot() == before


def test_organisation_home_links_to_rounds(coordinator):
    html = coordinator.get("/o/home-council/").get_data(as_text=True)
    assert f'href="{ORG}/"' in html


def _paths(org_slug: str, round_id: int) -> list[tuple[str, str]]:
    base = f"/o/{org_slug}/rounds"
    return [
        ("GET", f"{base}/"),
        ("GET", f"{base}/{round_id}"),
        ("POST", f"{base}/{round_id}/eligible-staff"),
        ("POST", f"{base}/{round_id}/naming-consent"),
        ("GET", f"{base}/{round_id}/invitations"),
        ("GET", f"{base}/{round_id}/invitations/new"),
        ("POST", f"{base}/{round_id}/invitations/new"),
        ("GET", f"{base}/{round_id}/invitations/upload"),
        ("POST", f"{base}/{round_id}/invitations/upload"),
        ("POST", f"{base}/{round_id}/invitations/reminders"),
    ]


@pytest.mark.parametrize("who", ["convenor", "respondent", "foreign_coordinator"])
def test_people_who_are_not_its_coordinators_get_404(client, world, participation, who):
    sign_in(client, getattr(world, who).email)
    token = page_csrf(client, "/password-reset")
    before = table_snapshot()
    data = {"csrf_token": token, "eligible_staff": "9", "email": "x@example.org"}
    for method, path in _paths("home-council", participation.round_id):
        response = client.open(path, method=method, data=None if method == "GET" else data)
        assert response.status_code == 404, f"{method} {path}"
    assert table_snapshot() == before


def test_a_coordinator_cannot_reach_another_organisations_round(coordinator, world):
    foreign = make_round(world.foreign_collaborative, RoundState.OPEN)
    token = page_csrf(coordinator, f"{ORG}/")
    before = table_snapshot()
    data = {"csrf_token": token, "eligible_staff": "9", "email": "x@example.org"}
    for slug in ("home-council", "foreign-council"):
        for method, path in _paths(slug, foreign.id)[1:]:
            response = coordinator.open(path, method=method, data=None if method == "GET" else data)
            assert response.status_code == 404, f"{method} {path}"
    assert table_snapshot() == before
