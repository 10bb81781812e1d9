"""Invitations one by one and from a CSV file, the invitation list, and reminders."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.security import hash_token
from surveys.invitations.models import Invitation, InvitationToken
from surveys.invitations.services import invite
from surveys.responses.services import response_for_token
from surveys.rounds.models import Participation, RoundState
from surveys.rounds.participation_views import REMINDER_ACTIONS_PER_WINDOW
from tests.conftest import table_snapshot
from tests.helpers import sign_in
from tests.surveys.round_helpers import (
    add_response,
    make_round,
    outbox,
    page_csrf,
    participation_of,
)

ORG = "/o/home-council/rounds"
LINK = re.compile(r"http://localhost/r/([A-Za-z0-9_-]+)/")


@pytest.fixture
def coordinator(client, world):
    sign_in(client, world.coordinator.email)
    return client


@pytest.fixture
def participation(world) -> Participation:
    return participation_of(make_round(world.collaborative), world.organisation)


def _invitations() -> list[Invitation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Invitation).order_by(Invitation.email)))


def _tokens_in(body: str) -> list[str]:
    return LINK.findall(body)


def _assert_raw_token_only_in_outbox(token: str) -> None:
    for table, rows in table_snapshot().items():
        if table == "outbox_emails":
            continue
        assert not any(token in str(value) for row in rows for value in row), table


def _link(token: str) -> str:
    return f"/r/{token}/"


def test_inviting_one_person_stores_only_a_hash_of_the_link(coordinator, participation):
    path = f"{ORG}/{participation.round_id}/invitations/new"
    token = page_csrf(coordinator, path)
    response = coordinator.post(
        path, data={"csrf_token": token, "email": " Ann.Smith@Example.org "}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"{ORG}/{participation.round_id}/invitations")

    (invitation,) = _invitations()
    assert invitation.email == "ann.smith@example.org"
    assert invitation.organisation_id == participation.organisation_id
    (stored,) = invitation.tokens
    (email,) = outbox()
    assert email.recipient == "ann.smith@example.org"
    assert "Spring 2027" in email.subject
    (raw,) = _tokens_in(email.body)
    assert len(raw) >= 43  # 256 bits, URL-safe base64
    assert stored.token_hash == hash_token(raw) and raw not in stored.token_hash
    _assert_raw_token_only_in_outbox(raw)
    # The link opens the survey's start page for this council.
    start = coordinator.get(_link(raw))
    assert start.status_code == 200 and "Home Council" in start.get_data(as_text=True)


def test_the_same_person_cannot_be_invited_twice(coordinator, participation):
    invite(participation, "ann@example.org", link_for=lambda t: t, actor_id=None)
    db.session.commit()
    before = table_snapshot()
    path = f"{ORG}/{participation.round_id}/invitations/new"
    token = page_csrf(coordinator, path)
    response = coordinator.post(path, data={"csrf_token": token, "email": "ANN@example.org"})
    assert response.status_code == 200
    assert "ann@example.org has already been invited" in response.get_data(as_text=True)
    assert table_snapshot() == before


def test_a_malformed_email_is_refused(coordinator, participation):
    before = table_snapshot()
    path = f"{ORG}/{participation.round_id}/invitations/new"
    token = page_csrf(coordinator, path)
    response = coordinator.post(path, data={"csrf_token": token, "email": "ann@"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in html and 'value="ann@"' in html
    assert table_snapshot() == before


def _upload(client, participation: Participation, content: bytes, filename: str = "staff.csv"):
    path = f"{ORG}/{participation.round_id}/invitations/upload"
    token = page_csrf(client, path)
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename)}
    return client.post(path, data=data, content_type="multipart/form-data")


def test_a_csv_invites_everyone_once_and_reports_repeats(coordinator, participation):
    invite(participation, "cal@example.org", link_for=lambda t: t, actor_id=None)
    db.session.commit()
    content = (
        "\ufeffEmail\r\nann@example.org\r\n\r\nBen@Example.org,\r\nann@example.org\r\n"
        "cal@example.org\r\n"
    ).encode()
    response = _upload(coordinator, participation, content)
    assert response.status_code == 302
    message = coordinator.get(response.location).get_data(as_text=True)
    assert "Sent 2 invitations." in message
    assert "1 address had already been invited" in message and "cal@example.org" in message
    assert "1 address appeared more than once in the file" in message

    invitations = _invitations()
    assert [i.email for i in invitations] == [
        "ann@example.org",
        "ben@example.org",
        "cal@example.org",
    ]
    new_emails = [e for e in outbox() if e.recipient != "cal@example.org"]
    assert sorted(e.recipient for e in new_emails) == ["ann@example.org", "ben@example.org"]
    for email in new_emails:
        (raw,) = _tokens_in(email.body)
        (invitation,) = [i for i in invitations if i.email == email.recipient]
        assert [t.token_hash for t in invitation.tokens] == [hash_token(raw)]
        _assert_raw_token_only_in_outbox(raw)


def test_a_csv_with_bad_rows_names_each_row_and_changes_nothing(coordinator, participation):
    before = table_snapshot()
    content = b"email\nann@example.org\nnot-an-email\nben@example.org,cal@example.org\n\njo@\n"
    response = _upload(coordinator, participation, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nobody has been invited" in html
    assert 'Row 3: "not-an-email" is not a valid email address' in html.replace("&#34;", '"')
    assert "Row 4: put one email address in each row" in html
    assert 'Row 6: "jo@" is not a valid email address' in html.replace("&#34;", '"')
    assert "Row 2" not in html and "Row 5" not in html
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            "ann@example.org".encode("utf-16"),
            "staff.csv",
            "The file must be a CSV file saved as UTF-8",
        ),
        (b"email\n\n", "staff.csv", "The file has no email addresses"),
        (b"ann@example.org\n", "staff.xlsx", "The selected file must be a CSV file"),
    ],
)
def test_unusable_files_are_refused(coordinator, participation, content, filename, message):
    before = table_snapshot()
    response = _upload(coordinator, participation, content, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert table_snapshot() == before


def test_no_invitations_once_the_round_has_closed(coordinator, world):
    round_ = make_round(world.collaborative, RoundState.CLOSED)
    base = f"{ORG}/{round_.id}/invitations"
    token = page_csrf(coordinator, f"{ORG}/")
    before = table_snapshot()
    new = coordinator.post(f"{base}/new", data={"csrf_token": token, "email": "ann@example.org"})
    assert new.status_code == 302
    assert "only while the round is in draft or open" in coordinator.get(new.location).get_data(
        as_text=True
    )
    upload = coordinator.post(
        f"{base}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(b"ann@example.org\n"), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    assert table_snapshot() == before


def _people(participation: Participation) -> dict[str, Invitation]:
    """Five people: submitted, in progress, not started, reminded 2 and 25 hours ago."""
    people = {}
    for name in ("done", "started", "waiting", "recent", "yesterday"):
        people[name] = invite(
            participation, f"{name}@example.org", link_for=lambda t: t, actor_id=None
        )
    add_response(participation, submitted=True, invitation_id=people["done"].id)
    add_response(participation, submitted=False, invitation_id=people["started"].id)
    people["recent"].last_reminded_at = utcnow() - timedelta(hours=2)
    people["recent"].reminder_count = 1
    people["yesterday"].last_reminded_at = utcnow() - timedelta(hours=25)
    people["yesterday"].reminder_count = 1
    db.session.commit()
    return people


def test_the_list_shows_who_has_finished_but_no_answers(coordinator, participation):
    people = _people(participation)
    add_response(
        participation,
        submitted=True,
        answers={"one_change": "Xyzzy confidential idea"},
        invitation_id=invite(
            participation, "extra@example.org", link_for=lambda t: t, actor_id=None
        ).id,
    )
    db.session.commit()
    html = coordinator.get(f"{ORG}/{participation.round_id}/invitations").get_data(as_text=True)
    statuses = dict(
        re.findall(
            r'<td class="govuk-table__cell">([^<]+@example\.org)</td>\s*<td[^>]*>'
            r"<strong[^>]*>([^<]+)</strong>",
            html,
        )
    )
    assert statuses == {
        "done@example.org": "Submitted",
        "extra@example.org": "Submitted",
        "started@example.org": "In progress",
        "waiting@example.org": "Not started",
        "recent@example.org": "Not started",
        "yesterday@example.org": "Not started",
    }
    assert "Xyzzy confidential idea" not in html
    assert len(people) == 5


def _remind(client, participation: Participation):
    path = f"{ORG}/{participation.round_id}/invitations"
    token = page_csrf(client, f"{ORG}/{participation.round_id}/invitations/new")
    return client.post(f"{path}/reminders", data={"csrf_token": token})


def test_reminders_go_only_to_those_not_submitted_at_most_daily(coordinator, participation):
    people = _people(participation)
    invited_at = {e.recipient for e in outbox()}
    response = _remind(coordinator, participation)
    assert response.status_code == 302
    message = coordinator.get(response.location).get_data(as_text=True)
    assert "Sent 3 reminders." in message
    assert "1 person was reminded in the last 24 hours" in message

    reminders = [e for e in outbox() if e.subject.startswith("Reminder")]
    assert sorted(e.recipient for e in reminders) == [
        "started@example.org",
        "waiting@example.org",
        "yesterday@example.org",
    ]
    assert invited_at == {f"{name}@example.org" for name in people}
    by_email = {i.email: i for i in _invitations()}
    assert {e: i.reminder_count for e, i in by_email.items()} == {
        "done@example.org": 0,
        "recent@example.org": 1,
        "started@example.org": 1,
        "waiting@example.org": 1,
        "yesterday@example.org": 2,
    }
    for address in ("started@example.org", "waiting@example.org", "yesterday@example.org"):
        assert utcnow() - by_email[address].last_reminded_at < timedelta(minutes=1)
        assert len(by_email[address].tokens) == 2
    assert len(by_email["recent@example.org"].tokens) == 1
    assert len(by_email["done@example.org"].tokens) == 1
    for email in reminders:
        (raw,) = _tokens_in(email.body)
        _assert_raw_token_only_in_outbox(raw)

    # Straight away again: everyone left was reminded within 24 hours.
    again = _remind(coordinator, participation)
    assert "Sent 0 reminders. 4 people were reminded in the last 24 hours" in coordinator.get(
        again.location
    ).get_data(as_text=True)
    assert len([e for e in outbox() if e.subject.startswith("Reminder")]) == 3


def test_a_reminders_new_link_opens_the_same_response_as_the_old_one(coordinator, participation):
    path = f"{ORG}/{participation.round_id}/invitations/new"
    token = page_csrf(coordinator, path)
    coordinator.post(path, data={"csrf_token": token, "email": "ann@example.org"})
    (old,) = _tokens_in(outbox()[0].body)
    # Ann starts the survey from her invitation.
    start = coordinator.post(_link(old), data={"csrf_token": page_csrf(coordinator, _link(old))})
    assert start.status_code == 302
    started = response_for_token(old, create=False)
    assert started is not None and not started.is_submitted
    started_id = started.id
    db.session.rollback()

    _remind(coordinator, participation)
    (reminder,) = [e for e in outbox() if e.subject.startswith("Reminder")]
    (new,) = _tokens_in(reminder.body)
    assert new != old
    assert response_for_token(new, create=False).id == started_id
    assert response_for_token(old, create=False).id == started_id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationToken)) == 2
    for link in (new, old):
        assert coordinator.get(f"/r/{link}/tasks").status_code == 200


def test_sending_reminders_is_rate_limited(coordinator, participation):
    for _ in range(REMINDER_ACTIONS_PER_WINDOW):
        assert _remind(coordinator, participation).status_code == 302
    late = invite(participation, "late@example.org", link_for=lambda t: t, actor_id=None)
    db.session.commit()
    late_id = late.id
    response = _remind(coordinator, participation)
    assert response.status_code == 302
    assert "Wait a few minutes" in coordinator.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, late_id).reminder_count == 0


def test_reminders_only_while_the_round_is_open(coordinator, world):
    round_ = make_round(world.collaborative, RoundState.DRAFT)
    participation = participation_of(round_, world.organisation)
    invite(participation, "ann@example.org", link_for=lambda t: t, actor_id=None)
    db.session.commit()
    before = table_snapshot()
    response = _remind(coordinator, participation)
    assert "only while the round is open" in coordinator.get(response.location).get_data(
        as_text=True
    )
    assert table_snapshot() == before
