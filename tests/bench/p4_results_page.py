"""P4: a member's results page with its charts (already drawn and stored, as the worker
leaves them), against a static file from the same server: gunicorn, one sync worker, one
client, sequential requests. Figure and reference are medians. The server reports on every
response whether matplotlib was ever imported in its process: the page must not load it.
"""

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

import sqlalchemy as sa

from maturity.accounts.models import Role, User
from maturity.accounts.passwords import hash_password
from maturity.accounts.services import grant_role
from maturity.db import db
from maturity.organisations.models import Organisation
from maturity.results.models import ParticipationResult
from maturity.tenancy import unscoped
from surveys.charts.catalogue import member_entries, member_prefix
from surveys.charts.context import load_round_context
from surveys.charts.drawing import store_entries
from surveys.jobs import recompute_round
from tests.bench.context import ROOT, BenchContext
from tests.bench.outcome import Outcome, Reference
from tests.bench.p4_server import MATPLOTLIB_HEADER

TARGET_RATIO = 3.0
REQUESTS = 60
WARM_UP = 5
STATIC_PATH = "/static/brand/manifest.json"
EMAIL = "p4-coordinator@bench.example"
PASSWORD = "bench-p4-password-2026"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _ensure_results(context: BenchContext) -> None:
    """Compute the measured round's results if no run has yet (P1 does, when it runs)."""
    round_id = context.dataset.latest_round_id
    with context.app.app_context(), unscoped():
        has_results = db.session.scalar(
            sa.select(sa.func.count(ParticipationResult.id)).where(
                ParticipationResult.round_id == round_id
            )
        )
    if not has_results:
        with context.app.app_context():
            recompute_round(round_id)


def _reported_member(context: BenchContext) -> tuple[int, str]:
    """The first member of the measured round with reported results: (id, slug)."""
    with context.app.app_context(), unscoped():
        organisation = db.session.scalars(
            sa.select(Organisation)
            .join(ParticipationResult, ParticipationResult.organisation_id == Organisation.id)
            .where(
                ParticipationResult.round_id == context.dataset.latest_round_id,
                ParticipationResult.suppressed.is_(False),
            )
            .order_by(Organisation.id)
        ).first()
        return organisation.id, organisation.slug


def _draw_member_charts(context: BenchContext, organisation_id: int) -> int:
    """Draw and store the member's charts, as the worker would (skipped when stored)."""
    round_id = context.dataset.latest_round_id
    with context.app.app_context(), unscoped():
        round_context = load_round_context(round_id)
        entries = member_entries(round_context, organisation_id)
        prefix = member_prefix(context.dataset.collaborative_id, round_id, organisation_id)
        store_entries(prefix, context.dataset.collaborative_id, entries)
        db.session.commit()
        return len(entries)


def _coordinator(context: BenchContext, organisation_id: int) -> None:
    """A coordinator of the member, signing in with a known password."""
    with context.app.app_context(), unscoped():
        user = db.session.scalars(sa.select(User).where(User.email == EMAIL)).first()
        if user is None:
            user = User(email=EMAIL, name="P4 Coordinator", password_hash=hash_password(PASSWORD))
            db.session.add(user)
            db.session.flush()
        grant_role(
            user, Role.COORDINATOR, organisation=db.session.get(Organisation, organisation_id)
        )
        db.session.commit()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(
    context: BenchContext,
    port: int,
    app: str = "tests.bench.p4_server:app",
    options: list[str] | None = None,
) -> subprocess.Popen:
    """gunicorn serving ``app`` (one sync worker unless ``options`` say otherwise)."""
    gunicorn = os.path.join(os.path.dirname(context.flask_command()[0]), "gunicorn")
    options = options or ["--workers", "1"]
    server = subprocess.Popen(
        [gunicorn, *options, "--bind", f"127.0.0.1:{port}", app],
        cwd=ROOT,
        env=context.flask_env(with_redis=False),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/sign-in").read().decode()
    token = CSRF.search(page).group(1)
    form = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    opener.open(f"{base}/sign-in", data=urllib.parse.urlencode(form).encode()).read()
    return opener


def _timed_gets(opener, url: str) -> tuple[list[float], set[str]]:
    """Seconds per GET after a warm-up, and the matplotlib header values seen."""
    seen = set()
    for _ in range(WARM_UP):
        opener.open(url).read()
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        with opener.open(url) as response:
            body = response.read()
            seen.add(response.headers.get(MATPLOTLIB_HEADER, "missing"))
        times.append(time.perf_counter() - started)
        assert body
    return times, seen


def measure(context: BenchContext) -> Outcome:
    """Median latency of the member's results page against a static file."""
    _ensure_results(context)
    organisation_id, slug = _reported_member(context)
    charts = _draw_member_charts(context, organisation_id)
    _coordinator(context, organisation_id)
    port = _free_port()
    server = _start_gunicorn(context, port)
    try:
        base = f"http://127.0.0.1:{port}"
        opener = _signed_in_opener(base)
        page_url = f"{base}/o/{slug}/results/?round={context.dataset.latest_round_id}"
        html = opener.open(page_url).read().decode()
        shown = html.count('class="app-chart"')
        page_times, page_seen = _timed_gets(opener, page_url)
        static_times, _ = _timed_gets(opener, f"{base}{STATIC_PATH}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    page = statistics.median(page_times) * 1000
    static = statistics.median(static_times) * 1000
    no_matplotlib = page_seen == {"absent"}
    return Outcome(
        measure="P4",
        what=f"member results page with {shown} of {charts} charts, median of {REQUESTS}",
        figure=page,
        unit="ms",
        target=f"≤ {TARGET_RATIO:.0f}× the static file, no matplotlib in the web process",
        met=page <= TARGET_RATIO * static and no_matplotlib and shown == charts,
        references=[Reference("static file", static, "ms")],
        details=f"matplotlib in the web process: {', '.join(sorted(page_seen))}",
    )
