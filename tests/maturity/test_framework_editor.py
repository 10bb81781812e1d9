"""The convenor's framework editor: drafts, edits, publishing; published versions refuse."""

import io

import pytest
import sqlalchemy as sa

from maturity.audit.models import AuditEvent
from maturity.db import db
from maturity.frameworks.models import (
    Dimension,
    FrameworkVersion,
    Item,
    LevelDescriptor,
    ScoringMethod,
    VersionStatus,
)
from maturity.frameworks.services import install_default_framework, spec_from_version
from tests.conftest import table_snapshot
from tests.helpers import csrf_token, sign_in

BASE = "/c/home-partnership/frameworks"
READ_ONLY_ENDPOINTS = {
    "frameworks.framework_list",
    "frameworks.framework_import",
    "frameworks.version_show",
    "frameworks.version_export",
    "frameworks.version_copy",
}


@pytest.fixture
def published(world) -> int:
    """The collaborative's framework: the shipped one, published as version 1."""
    version = install_default_framework(world.collaborative)
    db.session.commit()
    return version.id


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def fresh(model, ident):
    """A row as the database has it now (requests commit in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def post(client, path: str, data: dict | None = None, **kwargs):
    token = csrf_token(client, f"{BASE}/import")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def show_path(version_id: int) -> str:
    return f"{BASE}/versions/{version_id}"


def new_draft(client, version_id: int) -> FrameworkVersion:
    response = post(client, f"{show_path(version_id)}/copy")
    assert response.status_code == 302
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return fresh(FrameworkVersion, draft_id)


def dimension_data(dimension: Dimension, **changes) -> dict:
    data = {
        "key": dimension.key,
        "name": dimension.name,
        "summary": dimension.summary,
        "weight": str(dimension.weight),
    }
    for level in dimension.version.levels:
        data[f"descriptor_{level.number}"] = dimension.descriptor_for(level.number)
    return data | changes


def item_keys(dimension_id: int) -> list[str]:
    return [item.key for item in fresh(Dimension, dimension_id).items]


def assert_positions_contiguous(version_id: int) -> None:
    version = fresh(FrameworkVersion, version_id)
    assert [d.position for d in version.dimensions] == list(range(len(version.dimensions)))
    assert [i.position for i in version.items] == list(range(len(version.items)))
    spec_order = [i.key for d in spec_from_version(version).dimensions for i in d.items]
    assert [i.key for i in version.items if i.dimension_id] == spec_order


def test_the_version_page_shows_the_whole_framework(convenor, published):
    html = convenor.get(show_path(published)).get_data(as_text=True)

    assert "Published on" in html and "Publish version" not in html
    for text in ("Emerging", "Embedded", "Collaboration across services", "Band floor"):
        assert text in html
    assert "Partners mainly see each other at the formal meetings" in html  # a descriptor
    assert "collaboration_asked_too_late" in html and "Agreement" in html
    assert "About you" in html and "Frontline - I work directly with residents" in html
    assert "Other questions" in html and "one_change" in html
    assert "Download YAML" in html and "Create a new draft from this version" in html


def test_framework_list_shows_versions_and_collaborative_home_links_to_it(convenor, published):
    new_draft(convenor, published)
    listing = convenor.get(f"{BASE}/").get_data(as_text=True)
    assert "Place-based working maturity" in listing
    assert "Version 1" in listing and "Version 2" in listing
    assert "Published" in listing and "Draft" in listing and "Not yet" in listing

    home = convenor.get("/c/home-partnership/").get_data(as_text=True)
    assert f'href="{BASE}/"' in home and "Maturity frameworks" in home


def test_convenor_edits_a_new_draft_and_publishes_it(convenor, published):
    draft = new_draft(convenor, published)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    dimension = draft.dimensions[0]
    dimension_id, draft_id = dimension.id, draft.id
    original_keys = item_keys(dimension_id)

    edited = post(
        convenor,
        f"{show_path(draft_id)}/dimensions/{dimension_id}",
        dimension_data(dimension, descriptor_2="Partners meet monthly and share one plan."),
    )
    assert edited.status_code == 302
    assert fresh(Dimension, dimension_id).descriptor_for(2) == (
        "Partners meet monthly and share one plan."
    )

    added = post(
        convenor,
        f"{show_path(draft_id)}/dimensions/{dimension_id}/items/new",
        {
            "item_type": "likert",
            "key": "collaboration_plan",
            "text": "We plan together.",
            "reverse": "y",
        },
    )
    assert added.status_code == 302
    new_item = db.session.scalars(sa.select(Item).where(Item.key == "collaboration_plan")).one()
    assert (new_item.version_id, new_item.is_reversed, new_item.lineage) == (
        draft_id,
        True,
        "collaboration_plan",
    )
    assert item_keys(dimension_id) == [*original_keys, "collaboration_plan"]

    moved = post(convenor, f"{show_path(draft_id)}/items/{new_item.id}/move", {"direction": "up"})
    assert moved.status_code == 302
    assert item_keys(dimension_id) == [*original_keys[:-1], "collaboration_plan", original_keys[-1]]

    doomed = fresh(Dimension, dimension_id).items[0]
    deleted = post(convenor, f"{show_path(draft_id)}/items/{doomed.id}/delete")
    assert deleted.status_code == 302
    assert item_keys(dimension_id) == [
        *original_keys[1:-1],
        "collaboration_plan",
        original_keys[-1],
    ]
    assert_positions_contiguous(draft_id)

    published_now = post(convenor, f"{show_path(draft_id)}/publish")
    assert published_now.status_code == 302
    draft = fresh(FrameworkVersion, draft_id)
    assert draft.status == VersionStatus.PUBLISHED and draft.published_at is not None
    assert "is published" in convenor.get(show_path(draft_id)).get_data(as_text=True)

    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {
        "framework.draft_created",
        "framework.dimension_changed",
        "framework.item_created",
        "framework.item_moved",
        "framework.item_deleted",
        "framework.published",
    } <= actions


def test_publishing_an_invalid_draft_shows_the_problems_and_keeps_it_a_draft(convenor, published):
    draft = new_draft(convenor, published)
    added = post(
        convenor,
        f"{show_path(draft.id)}/dimensions/new",
        {"key": "empty_dimension", "name": "Empty dimension", "weight": "1"},
    )
    assert added.status_code == 302

    response = post(convenor, f"{show_path(draft.id)}/publish")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and "This version cannot be published yet" in html
    assert "Dimension &#39;empty_dimension&#39; has no items" in html
    assert "Dimension &#39;empty_dimension&#39; has no descriptor for level 1" in html
    draft = fresh(FrameworkVersion, draft.id)
    assert draft.status == VersionStatus.DRAFT and draft.published_at is None


def edit_requests(version: FrameworkVersion) -> dict[str, list[tuple[str, str, dict]]]:
    """Every edit endpoint of a version, with a request that would change something."""
    path = show_path(version.id)
    dimension, context = version.dimensions[0], version.context_items[0]
    item = dimension.items[0]
    levels = {f"level_{lv.number}_name": "Renamed" for lv in version.levels} | {
        f"level_{lv.number}_band_floor": str(lv.number) for lv in version.levels
    }
    new_item = {"item_type": "likert", "key": "new_question", "text": "New?"}
    return {
        "frameworks.version_settings": [
            ("GET", f"{path}/settings", {}),
            ("POST", f"{path}/settings", {"description": "X", "scoring_method": "weakest_link"}),
        ],
        "frameworks.levels_edit": [
            ("GET", f"{path}/levels", {}),
            ("POST", f"{path}/levels", levels),
        ],
        "frameworks.level_new": [
            ("GET", f"{path}/levels/new", {}),
            ("POST", f"{path}/levels/new", {"name": "Beyond", "band_floor": "5"}),
        ],
        "frameworks.level_remove": [("POST", f"{path}/levels/remove", {})],
        "frameworks.dimension_new": [
            ("GET", f"{path}/dimensions/new", {}),
            ("POST", f"{path}/dimensions/new", {"key": "extra", "name": "Extra", "weight": "1"}),
        ],
        "frameworks.dimension_edit": [
            ("GET", f"{path}/dimensions/{dimension.id}", {}),
            ("POST", f"{path}/dimensions/{dimension.id}", dimension_data(dimension, name="New")),
        ],
        "frameworks.dimension_move": [
            ("POST", f"{path}/dimensions/{dimension.id}/move", {"direction": "down"})
        ],
        "frameworks.dimension_delete": [("POST", f"{path}/dimensions/{dimension.id}/delete", {})],
        "frameworks.item_new": [
            ("GET", f"{path}/items/new", {}),
            ("POST", f"{path}/items/new", new_item | {"item_type": "text"}),
            ("GET", f"{path}/dimensions/{dimension.id}/items/new", {}),
            ("POST", f"{path}/dimensions/{dimension.id}/items/new", new_item),
        ],
        "frameworks.item_edit": [
            ("GET", f"{path}/items/{item.id}", {}),
            ("POST", f"{path}/items/{item.id}", new_item | {"key": item.key}),
        ],
        "frameworks.item_move": [("POST", f"{path}/items/{item.id}/move", {"direction": "down"})],
        "frameworks.item_delete": [("POST", f"{path}/items/{context.id}/delete", {})],
        "frameworks.version_publish": [("POST", f"{path}/publish", {})],
    }


def test_published_versions_cannot_change_through_any_edit_endpoint(app, convenor, published):
    version = fresh(FrameworkVersion, published)
    requests = edit_requests(version)
    endpoints = {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("frameworks.")
    }
    assert set(requests) == endpoints - READ_ONLY_ENDPOINTS, "an edit endpoint is not covered"
    before = table_snapshot()

    for endpoint, calls in requests.items():
        for method, path, data in calls:
            response = convenor.get(path) if method == "GET" else post(convenor, path, data)
            assert response.status_code == 302, (endpoint, method, path)
            assert response.headers["Location"] == show_path(published), (endpoint, path)
            page = convenor.get(show_path(published)).get_data(as_text=True)
            assert "Published versions cannot change" in page, (endpoint, path)

    assert table_snapshot() == before


def test_export_then_import_gives_an_equal_framework(convenor, published):
    draft = new_draft(convenor, published)
    second = draft.dimensions[1]
    post(convenor, f"{show_path(draft.id)}/dimensions/{second.id}/move", {"direction": "up"})
    post(
        convenor,
        f"{show_path(draft.id)}/items/new",
        {
            "item_type": "multi",
            "key": "partners_worked_with",
            "lineage": "partners_v1",
            "text": "Which partners have you worked with this year?",
            "help": "Choose all that apply",
            "attribute": "y",
            "options": "health | Health\npolice | Police\nvcs | Voluntary and community sector",
        },
    )
    assert post(convenor, f"{show_path(draft.id)}/publish").status_code == 302

    export = convenor.get(f"{show_path(draft.id)}/export")
    assert export.status_code == 200
    assert export.headers["Content-Type"].startswith("application/yaml")
    assert export.headers["Content-Disposition"] == (
        'attachment; filename="place-based-working-version-2.yaml"'
    )
    imported = post(
        convenor,
        f"{BASE}/import",
        {"yaml_file": (io.BytesIO(export.data), "framework.yaml"), "yaml_text": ""},
        content_type="multipart/form-data",
    )

    assert imported.status_code == 302
    copy = fresh(FrameworkVersion, int(imported.headers["Location"].rsplit("/", 1)[1]))
    original = fresh(FrameworkVersion, draft.id)
    assert copy.number == 3 and copy.framework_id == original.framework_id
    assert spec_from_version(copy) == spec_from_version(original)
    assert spec_from_version(copy).dimensions[0].key == second.key


def test_levels_can_be_renamed_added_and_removed(convenor, published):
    draft = new_draft(convenor, published)
    path = show_path(draft.id)
    levels = {
        f"level_{lv.number}_{field}": value
        for lv in draft.levels
        for field, value in (("name", lv.name), ("summary", lv.summary), ("band_floor", "1"))
    }
    before = table_snapshot()
    refused = post(convenor, f"{path}/levels", levels | {"level_4_band_floor": "0.5"})
    assert "Level band floors must rise with the level" in refused.get_data(as_text=True)
    assert table_snapshot() == before

    floors = {f"level_{n}_band_floor": str(n - 0.5) for n in range(1, 5)}
    saved = post(convenor, f"{path}/levels", levels | floors | {"level_1_name": "Starting"})
    assert saved.status_code == 302
    version = fresh(FrameworkVersion, draft.id)
    assert version.levels[0].name == "Starting"
    assert [lv.band_floor for lv in version.levels] == [0.5, 1.5, 2.5, 3.5]

    added = post(convenor, f"{path}/levels/new", {"name": "Leading", "band_floor": "4.5"})
    assert added.status_code == 302
    page = convenor.get(path).get_data(as_text=True)
    assert "Leading" in page and "has no descriptor for level 5" in page

    for _ in range(2):
        assert post(convenor, f"{path}/levels/remove").status_code == 302
    version = fresh(FrameworkVersion, draft.id)
    assert [lv.number for lv in version.levels] == [1, 2, 3]
    descriptors = db.session.scalars(
        sa.select(LevelDescriptor.level_number)
        .join(Dimension)
        .where(Dimension.version_id == draft.id)
    ).all()
    assert set(descriptors) == {1, 2, 3}


def test_levels_stay_between_two_and_seven(convenor, published):
    draft = new_draft(convenor, published)
    path = show_path(draft.id)
    for floor in ("5", "6", "7"):
        added = post(convenor, f"{path}/levels/new", {"name": "More", "band_floor": floor})
        assert added.status_code == 302
    assert len(fresh(FrameworkVersion, draft.id).levels) == 7
    before = table_snapshot()
    eighth = post(convenor, f"{path}/levels/new", {"name": "Too many", "band_floor": "8"})
    assert "A framework needs 2 to 7 levels" in eighth.get_data(as_text=True)
    assert table_snapshot() == before

    for _ in range(5):
        post(convenor, f"{path}/levels/remove")
    assert len(fresh(FrameworkVersion, draft.id).levels) == 2
    before = table_snapshot()
    refused = post(convenor, f"{path}/levels/remove")
    assert "A framework needs 2 to 7 levels" in convenor.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    assert table_snapshot() == before


def test_dimensions_move_and_delete_with_their_items(convenor, published):
    draft = new_draft(convenor, published)
    path = show_path(draft.id)
    first, second = draft.dimensions[0], draft.dimensions[1]
    second_items = [item.id for item in second.items]

    post(convenor, f"{path}/dimensions/{second.id}/move", {"direction": "up"})

    version = fresh(FrameworkVersion, draft.id)
    assert [d.key for d in version.dimensions[:2]] == [second.key, first.key]
    assert_positions_contiguous(draft.id)

    post(convenor, f"{path}/dimensions/{second.id}/delete")

    assert fresh(Dimension, second.id) is None
    assert all(fresh(Item, item_id) is None for item_id in second_items)
    assert_positions_contiguous(draft.id)


def test_settings_change_description_and_scoring(convenor, published):
    draft = new_draft(convenor, published)
    page = convenor.get(f"{show_path(draft.id)}/settings").get_data(as_text=True)
    assert "Weakest link" in page and "Average" in page

    response = post(
        convenor,
        f"{show_path(draft.id)}/settings",
        {"description": "For our partnership.", "scoring_method": "weakest_link"},
    )

    assert response.status_code == 302
    version = fresh(FrameworkVersion, draft.id)
    assert version.description == "For our partnership."
    assert version.scoring_method == ScoringMethod.WEAKEST_LINK


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "communities"}, "Another dimension in this version already has the key"),
        ({"key": "Not A Key"}, "Key must start with a letter"),
        ({"weight": "heavy"}, "Weight must be a number"),
        ({"weight": "nan"}, "Weight must be a number"),
        ({"weight": "1e999"}, "Weight must be a number"),
        ({"weight": "0"}, "Weight must be more than 0"),
        ({"weight": ""}, "Enter the weight"),
        ({"name": ""}, "Enter the dimension"),
        ({"name": "N" * 201}, "Name must be 200 characters or fewer"),
    ],
)
def test_bad_dimension_input_gets_a_field_error(convenor, published, changes, message):
    draft = new_draft(convenor, published)
    dimension = draft.dimensions[0]
    before = table_snapshot()

    response = post(
        convenor,
        f"{show_path(draft.id)}/dimensions/{dimension.id}",
        dimension_data(dimension, **changes),
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html.replace("&#39;", "'")
    assert 'class="govuk-error-summary' in html
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("where", "data", "message"),
    [
        ("dimension", {"key": "collaboration_level"}, "already has the key 'collaboration_level'"),
        ("dimension", {"lineage": "role_band"}, "already has the lineage 'role_band'"),
        ("dimension", {"item_type": "level", "reverse": "y"}, "Only likert items can be reverse"),
        ("dimension", {"item_type": "single"}, "Not a valid choice"),
        ("dimension", {"key": "Bad key"}, "Key must start with a letter"),
        ("dimension", {"text": ""}, "Enter the question"),
        ("context", {"item_type": "text", "options": "a | A\nb | B"}, "Only single and multi"),
        ("context", {"item_type": "single", "options": "a | A"}, "at least 2 options"),
        ("context", {"item_type": "single", "options": "a | A\na | B"}, "values must be unique"),
        ("context", {"item_type": "single", "options": "a | A\nbroken"}, "Line 2 of the options"),
        ("context", {"item_type": "likert"}, "Not a valid choice"),
    ],
)
def test_bad_item_input_gets_a_form_error(convenor, published, where, data, message):
    draft = new_draft(convenor, published)
    if where == "dimension":
        path = f"{show_path(draft.id)}/dimensions/{draft.dimensions[0].id}/items/new"
        base = {"item_type": "likert", "key": "fresh_question", "text": "A question?"}
    else:
        path = f"{show_path(draft.id)}/items/new"
        base = {"item_type": "single", "key": "fresh_question", "text": "A question?"}
        base["options"] = "a | A\nb | B"
    before = table_snapshot()

    response = post(convenor, path, base | data)

    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert message in html
    assert 'class="govuk-error-summary' in html
    assert 'value="fresh_question"' in html or data.get("key", "") in html  # kept what was typed
    assert table_snapshot() == before


def test_editing_an_item_keeps_its_key_unique_but_allows_its_own(convenor, published):
    draft = new_draft(convenor, published)
    item = draft.dimensions[0].items[1]
    path = f"{show_path(draft.id)}/items/{item.id}"
    page = convenor.get(path).get_data(as_text=True)
    assert item.text in page

    same_key = post(
        convenor,
        path,
        {"item_type": "likert", "key": item.key, "lineage": item.lineage, "text": "Reworded."},
    )
    assert same_key.status_code == 302
    assert fresh(Item, item.id).text == "Reworded."

    clash = post(convenor, path, {"item_type": "likert", "key": "role_band", "text": "Reworded."})
    assert "already has the key" in clash.get_data(as_text=True)
    assert fresh(Item, item.id).key == item.key


@pytest.mark.parametrize(
    "suffix",
    [
        "/versions/abc",
        "/versions/99999",
        "/versions/99999999999999999999999",
        "/versions/{id}/dimensions/abc",
        "/versions/{id}/dimensions/99999",
        "/versions/{id}/items/xyz",
        "/versions/{id}/items/99999",
        "/versions/{id}/export/extra",
    ],
)
def test_bad_ids_are_404(convenor, published, suffix):
    draft = new_draft(convenor, published)
    assert convenor.get(BASE + suffix.format(id=draft.id)).status_code == 404


def test_another_collaboratives_versions_and_rows_are_404(client, world, published):
    foreign = install_default_framework(world.foreign_collaborative)
    db.session.commit()
    own = fresh(FrameworkVersion, published)
    own_dimension, own_item = own.dimensions[0].id, own.items[0].id
    sign_in(client, world.foreign_convenor.email)
    foreign_base = "/c/foreign-network/frameworks/versions"

    assert client.get(f"{foreign_base}/{foreign.id}").status_code == 200
    assert client.get(f"{foreign_base}/{published}").status_code == 404
    assert client.get(f"{foreign_base}/{published}/export").status_code == 404
    assert client.get(f"{BASE}/versions/{published}").status_code == 404
    foreign_draft = new_draft_at(client, f"{foreign_base}/{foreign.id}")
    before = table_snapshot()
    for path in (
        f"{foreign_base}/{foreign_draft}/dimensions/{own_dimension}",
        f"{foreign_base}/{foreign_draft}/items/{own_item}",
    ):
        assert client.get(path).status_code == 404
        token = csrf_token(client, "/c/foreign-network/frameworks/import")
        assert client.post(f"{path}/delete", data={"csrf_token": token}).status_code == 404
    assert table_snapshot() == before


def new_draft_at(client, version_path: str) -> int:
    token = csrf_token(client, "/c/foreign-network/frameworks/import")
    response = client.post(f"{version_path}/copy", data={"csrf_token": token})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_second_draft_is_refused(convenor, published):
    new_draft(convenor, published)
    before = table_snapshot()
    response = post(convenor, f"{show_path(published)}/copy")
    assert response.status_code == 302
    assert table_snapshot() == before
    page = convenor.get(response.headers["Location"]).get_data(as_text=True)
    assert "already has a draft version" in page


def test_moves_need_a_direction(convenor, published):
    draft = new_draft(convenor, published)
    item = draft.items[0]
    before = table_snapshot()
    response = post(convenor, f"{show_path(draft.id)}/items/{item.id}/move", {"direction": "left"})
    assert response.status_code == 400
    assert table_snapshot() == before
