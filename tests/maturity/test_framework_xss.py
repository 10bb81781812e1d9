"""Stored XSS in framework text (QUALITY.md R7), and no unreviewed |safe or Markup(."""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from maturity.db import db
from maturity.frameworks.models import FrameworkVersion
from maturity.frameworks.services import default_framework_spec
from maturity.frameworks.spec import OptionSpec
from maturity.frameworks.yaml_io import write_framework_yaml
from tests.helpers import csrf_token, sign_in

BASE = "/c/home-partnership/frameworks"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcdoc"}
ROOT = Path(__file__).resolve().parents[2]
# Reviewed uses of |safe and Markup( in our code: (path relative to the repository, line text).
REVIEWED_UNESCAPED: set[tuple[str, str]] = set()
# The page's own inline scripts: the GOV.UK template's js-enabled flag and our initAll().
OWN_SCRIPTS = re.compile(
    r"document\.body\.className \+= ' js-enabled' \+ \('noModule' in HTMLScriptElement"
    r"\.prototype \? ' govuk-frontend-supported' : ''\);"
    r'|import \{ initAll \} from "/static/govuk/govuk-frontend\.min\.js";\s+initAll\(\);'
)
UNESCAPED = re.compile(r"\|\s*safe\b|\bMarkup\s*\(")


def csp_nonce(response) -> str:
    match = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert match, "the page has no CSP nonce"
    return match.group(1)


def assert_nothing_executable(response) -> None:
    """No script but the page's own, no on* handler, no javascript:/data: URL."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    nonce = csp_nonce(response)
    for script in soup.find_all("script", src=False):
        assert script.get("nonce") == nonce, script
        assert OWN_SCRIPTS.fullmatch(script.string.strip()), script
    for script in soup.find_all("script", src=True):
        assert script["src"].startswith("/static/"), script
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name, value)
            if name.lower() in URL_ATTRIBUTES:
                url = re.sub(r"\s", "", str(value)).lower()
                assert not url.startswith(("javascript:", "data:")), (tag.name, name, value)
    for tag in soup.find_all(["iframe", "object", "embed", "svg", "img"]):
        raise AssertionError(f"unexpected <{tag.name}> element: {tag}")


def hostile_yaml(payload: str) -> str:
    """The shipped framework with the payload in every text a convenor can import."""
    spec = default_framework_spec()
    spec.name = f"Framework {payload}"
    spec.description = f"Description {payload}"
    spec.levels[0].name = payload[:60]
    spec.levels[1].summary = f"Summary {payload}"
    dimension = spec.dimensions[0]
    dimension.name, dimension.summary = f"Dimension {payload}", f"Summary {payload}"
    dimension.descriptors[1] = f"Descriptor {payload}"
    dimension.items[0].text, dimension.items[0].help = f"Item {payload}", f"Help {payload}"
    spec.context[0].options[0] = OptionSpec("frontline", f"Option {payload}")
    return write_framework_yaml(spec)


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def post(client, path: str, data: dict, **kwargs):
    token = csrf_token(client, f"{BASE}/import")
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def import_hostile(client, payload: str) -> int:
    response = post(
        client,
        f"{BASE}/import",
        {"yaml_file": (io.BytesIO(hostile_yaml(payload).encode()), "x.yaml"), "yaml_text": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def edit_with_payload(client, version_id: int, payload: str) -> None:
    """Put the payload in through the editor's forms as well."""
    version = db.session.get(FrameworkVersion, version_id)
    path = f"{BASE}/versions/{version_id}"
    levels = {
        f"level_{lv.number}_{field}": value
        for lv in version.levels
        for field, value in (("name", lv.name), ("summary", lv.summary), ("band_floor", lv.number))
    }
    levels |= {"level_2_name": payload[:60], "level_3_summary": f"Edited {payload}"}
    dimension = version.dimensions[1]
    dimension_form = {"key": dimension.key, "name": f"Edited {payload}", "weight": "1"}
    dimension_form |= {"summary": f"Edited {payload}", "descriptor_1": f"Edited {payload}"}
    item = {"item_type": "single", "key": "hostile", "text": f"Edited {payload}"}
    item |= {"help": f"Edited {payload}", "options": f"a | Edited {payload}\nb | B"}
    for target, data in (
        (f"{path}/levels", levels),
        (f"{path}/dimensions/{dimension.id}", dimension_form),
        (f"{path}/items/new", item),
    ):
        assert post(client, target, data).status_code == 302, target


@pytest.mark.parametrize("payload", PAYLOADS)
def test_framework_text_is_never_executable(convenor, payload):
    version_id = import_hostile(convenor, payload)
    edit_with_payload(convenor, version_id, payload)

    for path in (f"{BASE}/versions/{version_id}", f"{BASE}/"):
        response = convenor.get(path)
        assert response.status_code == 200
        assert_nothing_executable(response)
    show = convenor.get(f"{BASE}/versions/{version_id}")
    text = BeautifulSoup(show.get_data(as_text=True), "html.parser").get_text()
    for label in ("Framework", "Dimension", "Descriptor", "Item", "Help", "Option", "Edited"):
        assert f"{label} {payload}" in text, f"{label} text was not shown as text"
    assert payload[:60] in text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_edit_pages_show_hostile_text_inertly(convenor, payload):
    version_id = import_hostile(convenor, payload)
    version = db.session.get(FrameworkVersion, version_id)
    path = f"{BASE}/versions/{version_id}"
    pages = [
        f"{path}/settings",
        f"{path}/levels",
        f"{path}/dimensions/{version.dimensions[0].id}",
        f"{path}/items/{version.dimensions[0].items[0].id}",
        f"{path}/items/{version.context_items[0].id}",
    ]
    for page in pages:
        response = convenor.get(page)
        assert response.status_code == 200, page
        assert_nothing_executable(response)
        assert shows(BeautifulSoup(response.get_data(as_text=True), "html.parser"), payload), page


def shows(soup: BeautifulSoup, text: str) -> bool:
    """Whether ``text`` is on the page as text, in a text box or as an input's value."""
    values = (tag.get("value") or "" for tag in soup.find_all("input"))
    return text in soup.get_text() or any(text in value for value in values)


def test_the_checker_would_catch_an_injection(app, world):
    """The assertions above fail on a page that does carry a payload."""

    class Page:
        headers = {"Content-Security-Policy": "script-src 'nonce-abc'"}

        def __init__(self, body: str):
            self.body = body

        def get_data(self, as_text: bool = True) -> str:
            return self.body

    own = (
        '<script type="module" nonce="abc">import { initAll } from '
        '"/static/govuk/govuk-frontend.min.js";\n initAll();</script>'
    )
    assert_nothing_executable(Page(own))
    for bad in (
        "<script>alert(1)</script>",
        '<script nonce="abc">alert(1)</script>',
        '<img src="x" onerror="alert(1)">',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg onload=alert(1)></svg>",
    ):
        with pytest.raises(AssertionError):
            assert_nothing_executable(Page(own + bad))


def unescaped_output() -> set[tuple[str, str]]:
    found = set()
    for folder in ("maturity", "surveys"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".html", ".py", ".jinja", ".j2", ".txt"} or not path.is_file():
                continue
            for line in path.read_text("utf-8").splitlines():
                if UNESCAPED.search(line):
                    found.add((str(path.relative_to(ROOT)), line.strip()))
    return found


def test_no_unreviewed_safe_filter_or_markup():
    assert unescaped_output() <= REVIEWED_UNESCAPED


def test_the_unescaped_output_search_finds_what_it_looks_for():
    for line in ("{{ x|safe }}", "{{ x | safe }}", "Markup(html)", "markupsafe.Markup (x)"):
        assert UNESCAPED.search(line), line
    for line in ("{{ x|safely_named }}", "a safe place", "MarkupError"):
        assert not UNESCAPED.search(line), line
