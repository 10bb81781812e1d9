"""The app as P4 serves it under gunicorn, with one addition for the measure: every
response says whether matplotlib has been imported in the serving process, so P4 can show
that no request it made loaded it."""

import sys

from maturity.app import create_app

MATPLOTLIB_HEADER = "X-Bench-Matplotlib"

app = create_app()


@app.after_request
def _say_whether_matplotlib_is_loaded(response):
    response.headers[MATPLOTLIB_HEADER] = "loaded" if "matplotlib" in sys.modules else "absent"
    return response
