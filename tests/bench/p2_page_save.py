"""P2: survey page saves under 32 concurrent clients, against a bare endpoint in the same
app that inserts one row and commits (``tests/bench/p2_server.py``; bench-only). gunicorn
serves the real app from this interpreter's environment, PostgreSQL is the bench database.

Each client has its own in-progress response in the measured round (reopened for the
measure and closed again afterwards) and its own keep-alive session: it fetches the first
section's page for the CSRF token, then posts that page with valid answers over and over
for the duration; then the same clients post to the bare endpoint for the same duration.
Figure and reference are completed requests a second; p95 latencies and errors (no
response, or a status of 400 or more) are printed for both. The responses and the bench
table are removed afterwards, so the data set is as it was.
"""

import re
import statistics
import threading
import time
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.models import Item, ItemType
from maturity.tenancy import unscoped
from surveys.responses.models import Response
from surveys.responses.sections import sections_for
from surveys.responses.services import start_anonymous_response
from surveys.rounds.models import Participation, Round, RoundState
from tests.bench.context import BenchContext
from tests.bench.outcome import Outcome, Reference
from tests.bench.p2_server import BARE_PATH, BENCH_TABLE
from tests.bench.p4_results_page import _free_port, _start_gunicorn

TARGET_RATIO = 0.5
CLIENTS = 32
DEFAULT_SECONDS = 10.0
GUNICORN = ["--worker-class", "gthread", "--workers", "4", "--threads", "4"]
GUNICORN_SAYS = "gunicorn gthread 4 workers × 4 threads"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@dataclass
class Phase:
    """What the clients saw in one timed phase."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def throughput(self) -> float:
        return (len(self.latencies) + self.errors) / self.seconds if self.seconds else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000


@dataclass
class Client:
    """One client: its keep-alive session, the page it saves and the form it posts."""

    session: requests.Session
    url: str
    form: dict[str, str]


def _set_round_state(context: BenchContext, state: RoundState) -> RoundState:
    """Put the measured round in ``state``; return the state it had."""
    with context.app.app_context(), unscoped():
        round_ = db.session.get(Round, context.dataset.latest_round_id)
        previous, round_.state = round_.state, state
        db.session.commit()
        return previous


def _answer(item: Item) -> str:
    """A valid answer to any item: level 3, agree, the first option, a number, some text."""
    if item.item_type == ItemType.LEVEL:
        return "3"
    if item.item_type == ItemType.LIKERT:
        return "4"
    if item.item_type in (ItemType.SINGLE, ItemType.MULTI):
        return item.options[0]["value"]
    if item.item_type == ItemType.NUMBER:
        return "7"
    return "More joint budgets"


def _prepare_responses(context: BenchContext) -> tuple[list[int], list[str], str, dict]:
    """One in-progress response per client, spread over the members: (ids, tokens, the
    first section's key, its answers as form fields)."""
    with context.app.app_context(), unscoped():
        round_ = db.session.get(Round, context.dataset.latest_round_id)
        participations = db.session.scalars(
            sa.select(Participation)
            .where(Participation.round_id == round_.id)
            .order_by(Participation.id)
        ).all()
        ids, tokens = [], []
        for number in range(CLIENTS):
            response, token = start_anonymous_response(participations[number % len(participations)])
            ids.append(response.id)
            tokens.append(token)
        section = sections_for(round_.framework_version)[0]
        answers = {f"item_{item.id}": _answer(item) for item in section.items}
        db.session.commit()
        return ids, tokens, section.key, answers


def _remove_responses(context: BenchContext, response_ids: list[int]) -> None:
    with context.app.app_context(), unscoped():
        db.session.execute(sa.delete(Response).where(Response.id.in_(response_ids)))
        db.session.commit()


def _bench_table(context: BenchContext, *, create: bool) -> None:
    """Create (empty) or drop the bare endpoint's table."""
    with context.app.app_context():
        db.session.execute(sa.text(f"DROP TABLE IF EXISTS {BENCH_TABLE}"))
        if create:
            db.session.execute(
                sa.text(
                    f"CREATE TABLE {BENCH_TABLE} (id bigserial PRIMARY KEY, note text NOT NULL, "
                    "created_at timestamptz NOT NULL DEFAULT now())"
                )
            )
        db.session.commit()


def _client(base: str, token: str, key: str, answers: dict) -> Client:
    """A client on its own session with the page's CSRF token in its form."""
    session = requests.Session()
    url = f"{base}/r/{token}/section/{key}"
    page = session.get(url, timeout=30)
    page.raise_for_status()
    csrf_token = CSRF.search(page.text).group(1)
    return Client(session, url, {"csrf_token": csrf_token, "action": "continue", **answers})


def _post(session: requests.Session, url: str, form: dict | None) -> bool:
    """One POST, redirects not followed; True when it succeeded."""
    try:
        reply = session.post(url, data=form, allow_redirects=False, timeout=60)
    except requests.RequestException:
        return False
    return reply.status_code < 400


def _run_phase(clients: list[Client], seconds: float, target) -> Phase:
    """Every client posts ``target(client)`` (url, form) back to back for ``seconds``."""
    phase = Phase()
    start = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(client: Client) -> None:
        url, form = target(client)
        _post(client.session, url, form)  # warm-up, not counted
        start.wait()
        latencies, errors = [], 0
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            if _post(client.session, url, form):
                latencies.append(time.perf_counter() - began)
            else:
                errors += 1
        with phase.lock:
            phase.latencies.extend(latencies)
            phase.errors += errors

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def _summary(name: str, phase: Phase) -> str:
    return f"{name} p95 {phase.p95_ms:.0f} ms, {phase.errors} errors"


def measure(context: BenchContext) -> Outcome:
    """Page saves a second under 32 clients against one-row inserts a second."""
    seconds = float(context.options.get("p2_seconds") or DEFAULT_SECONDS)
    previous_state = _set_round_state(context, RoundState.OPEN)
    response_ids: list[int] = []
    try:
        response_ids, tokens, key, answers = _prepare_responses(context)
        _bench_table(context, create=True)
        port = _free_port()
        server = _start_gunicorn(context, port, "tests.bench.p2_server:app", GUNICORN)
        try:
            base = f"http://127.0.0.1:{port}"
            clients = [_client(base, token, key, answers) for token in tokens]
            saves = _run_phase(clients, seconds, lambda c: (c.url, c.form))
            bare = _run_phase(clients, seconds, lambda c: (f"{base}{BARE_PATH}", None))
            for client in clients:
                client.session.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        _bench_table(context, create=False)
        if response_ids:
            _remove_responses(context, response_ids)
        _set_round_state(context, previous_state)
    reference = Reference("one-row insert", bare.throughput, "/s")
    return Outcome(
        measure="P2",
        what=f"section page saves ({len(answers)} answers), {CLIENTS} clients, {seconds:.0f} s",
        figure=saves.throughput,
        unit="/s",
        target=f"≥ {TARGET_RATIO}× the one-row insert, no errors",
        met=saves.throughput >= TARGET_RATIO * bare.throughput and saves.errors == 0,
        references=[reference],
        details=f"{_summary('saves', saves)}; {_summary('insert', bare)}; {GUNICORN_SAYS}",
    )
