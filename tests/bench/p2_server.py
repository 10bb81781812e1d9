"""The app as P2 serves it under gunicorn, with one bench-only endpoint (never in the
production routes): P2's reference, a bare POST that inserts one row into the bench's own
table and commits, through the same app, session and database pool as a page save."""

import sqlalchemy as sa

from maturity.app import create_app
from maturity.db import db
from maturity.extensions import csrf

BARE_PATH = "/bench/p2-insert-one-row"
BENCH_TABLE = "bench_p2_rows"
INSERT_ONE_ROW = sa.text("INSERT INTO bench_p2_rows (note) VALUES (:note)")

app = create_app()


@app.post(BARE_PATH)
@csrf.exempt
def insert_one_row():
    """Insert one row and commit: the least a saving request can do."""
    db.session.execute(INSERT_ONE_ROW, {"note": "p2"})
    db.session.commit()
    return "", 204
