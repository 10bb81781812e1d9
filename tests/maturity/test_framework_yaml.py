"""Framework YAML: the shipped file, line-numbered errors, and the import page."""

import io

import pytest
import sqlalchemy as sa
from markupsafe import escape

from maturity.db import db
from maturity.frameworks.models import Framework, FrameworkVersion, VersionStatus
from maturity.frameworks.services import (
    default_framework_spec,
    install_default_framework,
    spec_from_version,
)
from maturity.frameworks.spec import problems_in
from maturity.frameworks.yaml_io import (
    FrameworkYamlError,
    read_framework_yaml,
    write_framework_yaml,
)
from tests.conftest import table_snapshot
from tests.helpers import csrf_token, sign_in

IMPORT_PATH = "/c/home-partnership/frameworks/import"

# Line numbers matter below: keep this file exactly as it is.
TINY = """\
schema: placewise-framework/1
key: tiny
name: Tiny framework
levels:
  - number: 1
    name: Low
  - number: 2
    name: Middle
  - number: 3
    name: High
dimensions:
  - key: trust
    name: Trust
    weight: 2
    descriptors:
      1: Little trust.
      2: Some trust.
      3: Much trust.
    items:
      - key: trust_level
        type: level
        text: How much trust is there?
      - key: trust_reliable
        type: likert
        reverse: true
        text: Partners let each other down.
context:
  - key: role
    type: single
    attribute: true
    text: Which best describes your role?
    options:
      - value: frontline
        label: Frontline
      - value: leader
        label: Leader
"""


def replace_line(number: int, new: str | None) -> str:
    """TINY with line ``number`` replaced by ``new`` (or deleted when None)."""
    lines = TINY.splitlines(keepends=True)
    assert lines[number - 1].strip(), "the test points at a blank line"
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new + "\n"
    return "".join(lines)


def insert_after(number: int, new: str) -> str:
    """TINY with ``new`` inserted after line ``number``."""
    lines = TINY.splitlines(keepends=True)
    lines.insert(number, new + "\n")
    return "".join(lines)


def faults(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FrameworkYamlError) as caught:
        read_framework_yaml(text)
    return [(error.line, error.message) for error in caught.value.errors]


def test_the_shipped_framework_reads_cleanly_and_round_trips():
    spec = default_framework_spec()
    assert problems_in(spec) == []
    assert [level.name for level in spec.levels] == [
        "Emerging",
        "Developing",
        "Maturing",
        "Embedded",
    ]
    assert len(spec.dimensions) >= 6
    assert all(len(d.descriptors) == 4 and d.items for d in spec.dimensions)
    assert {item.key for item in spec.context if item.attribute} >= {"role_band", "perspective"}

    assert read_framework_yaml(write_framework_yaml(spec)) == spec


def test_the_hand_written_file_reads_as_written():
    spec = read_framework_yaml(TINY)
    assert (spec.key, spec.name, spec.scoring) == ("tiny", "Tiny framework", "mean")
    assert [(lv.number, lv.name) for lv in spec.levels] == [(1, "Low"), (2, "Middle"), (3, "High")]
    (trust,) = spec.dimensions
    assert trust.weight == 2.0
    assert trust.descriptors == {1: "Little trust.", 2: "Some trust.", 3: "Much trust."}
    assert [(i.key, i.lineage, i.type, i.reverse) for i in trust.items] == [
        ("trust_level", "trust_level", "level", False),
        ("trust_reliable", "trust_reliable", "likert", True),
    ]
    (role,) = spec.context
    assert role.attribute and [o.value for o in role.options] == ["frontline", "leader"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            replace_line(21, "        type: scale"),
            [(21, "Unknown item type 'scale': use level, likert, single, multi, text, number")],
            id="unknown-item-type",
        ),
        pytest.param(
            replace_line(23, "      - key: trust_level"),
            [(23, "Duplicate item key 'trust_level'")],
            id="duplicate-item-key",
        ),
        pytest.param(
            replace_line(9, "  - number: 4"),
            [
                (4, "Levels must be numbered 1 to 3: level 3 is missing"),
                (15, "Dimension 'trust' has no descriptor for level 4"),
                (18, "Descriptor for unknown level 3"),
            ],
            id="levels-1-2-4",
        ),
        pytest.param(
            replace_line(18, None),
            [(15, "Dimension 'trust' has no descriptor for level 3")],
            id="missing-descriptor",
        ),
        pytest.param(
            insert_after(13, "    name: Trust again"),
            [(14, "Duplicate field 'name'")],
            id="duplicate-yaml-field",
        ),
        pytest.param(
            replace_line(6, "    name: Low: bad"),
            [(6, "Not valid YAML: mapping values are not allowed here")],
            id="invalid-yaml",
        ),
        pytest.param(
            insert_after(8, "    colour: amber"),
            [(9, "Unknown field 'colour' in a level")],
            id="unknown-field",
        ),
        pytest.param(
            replace_line(14, "    weight: heavy"),
            [(14, "'weight' must be a number")],
            id="wrong-type-number",
        ),
        pytest.param(
            replace_line(25, "        reverse: sometimes"),
            [(25, "'reverse' must be true or false")],
            id="wrong-type-flag",
        ),
        pytest.param(
            replace_line(14, "    weight: .nan"),
            [(14, "'weight' must be a number")],
            id="weight-not-finite",
        ),
        pytest.param(
            replace_line(13, '    name: "Tr\\0ust"'),
            [(13, "Text must not contain NUL characters")],
            id="nul-character",
        ),
        pytest.param(
            replace_line(8, "    name: " + "M" * 61),
            [(8, "Level names must be 60 characters or fewer")],
            id="level-name-too-long",
        ),
        pytest.param("", [(0, "The file is empty")], id="empty"),
    ],
)
def test_a_bad_file_is_refused_with_the_right_line_numbers(text, expected):
    assert faults(text) == expected


def test_every_fault_in_a_file_is_listed_in_line_order():
    text = replace_line(25, "        reverse: sometimes")
    text = text.replace("    weight: 2\n", "    weight: heavy\n")
    text = text.replace("    name: Middle\n", "    name: Middle\n    colour: amber\n")
    assert faults(text) == [
        (9, "Unknown field 'colour' in a level"),
        (15, "'weight' must be a number"),
        (26, "'reverse' must be true or false"),
    ]


def alias_bomb(levels: int) -> str:
    """A "billion laughs" file: each level names the one before ten times."""
    lines = ["a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for level in range(1, levels):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{','.join([previous] * 10)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_anything_is_expanded():
    bomb = alias_bomb(8)
    assert len(bomb) <= 400
    assert faults(bomb) == [(1, "Anchors and aliases (& and *) are not allowed: write it out")]


def test_an_alias_is_refused_at_its_line_even_without_an_anchor_on_the_first_line():
    text = TINY + "extra: *somewhere\n"
    assert faults(text) == [
        (len(TINY.splitlines()) + 1, "Anchors and aliases (& and *) are not allowed: write it out")
    ]


@pytest.mark.parametrize(
    ("line", "tag"),
    [
        ("key: !!python/name:os.system tiny", "!!python/name:os.system"),
        ("key: !!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
        ("key: !custom tiny", "!custom"),
        ("key: !!binary dGlueQ==", "!!binary"),
    ],
)
def test_a_tag_outside_plain_yaml_is_refused_at_its_line(line, tag):
    assert faults(replace_line(2, line)) == [(2, f"The tag '{tag}' is not allowed: remove it")]


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed():
    text = TINY + "#" * 1_000_000 + "\n"
    assert faults(text) == [(0, "The file is larger than 1 MB")]


# The import page ----------------------------------------------------------------------------


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def post_import(client, *, text: str | None = None, file: tuple[bytes, str] | None = None):
    data = {"csrf_token": csrf_token(client, IMPORT_PATH), "yaml_text": text or ""}
    if file is not None:
        data["yaml_file"] = (io.BytesIO(file[0]), file[1])
    return client.post(IMPORT_PATH, data=data, content_type="multipart/form-data")


def test_a_good_file_becomes_a_draft_of_a_new_framework(convenor, world):
    response = post_import(convenor, file=(TINY.encode(), "tiny.yaml"))

    version = db.session.scalars(sa.select(FrameworkVersion)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/frameworks/versions/{version.id}")
    assert version.status == VersionStatus.DRAFT
    assert version.framework.collaborative_id == world.collaborative.id
    expected = read_framework_yaml(TINY)
    for level in expected.levels:  # the file leaves the bands to the default: floor(mean)
        level.band_floor = float(level.number)
    assert spec_from_version(version) == expected


def test_a_bad_file_lists_every_fault_and_changes_nothing(convenor, world):
    bad = replace_line(21, "        type: scale").replace("    weight: 2\n", "    weight: 0\n")
    before = table_snapshot()

    response = post_import(convenor, file=(bad.encode(), "framework.yaml"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Line 14: Weight must be more than 0" in html
    assert "Line 21: Unknown item type &#39;scale&#39;" in html
    assert 'href="#yaml_file"' in html
    assert table_snapshot() == before


def test_pasted_text_with_faults_is_kept_in_the_text_box(convenor):
    bad = insert_after(13, "    name: Trust again")
    before = table_snapshot()

    response = post_import(convenor, text=bad)

    html = response.get_data(as_text=True)
    assert "Line 14: Duplicate field &#39;name&#39;" in html
    assert 'href="#yaml_text"' in html
    assert "    name: Trust again" in html  # the textarea still holds what was pasted
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (alias_bomb(8), "Line 1: Anchors and aliases (&amp; and *) are not allowed"),
        (replace_line(2, "key: !!python/name:os.system tiny"), "Line 2: The tag &#39;!!python"),
    ],
)
def test_a_refused_construct_re_renders_the_form_with_the_text(convenor, text, message):
    before = table_snapshot()

    response = post_import(convenor, text=text)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert message in html
    assert 'href="#yaml_text"' in html
    assert str(escape(text.splitlines()[1])) in html  # the text box still holds the paste
    assert table_snapshot() == before


@pytest.mark.parametrize(
    ("text", "file", "message"),
    [
        (None, None, "Choose a YAML file or paste the YAML text"),
        (TINY, (TINY.encode(), "tiny.yaml"), "Choose a file or paste text, not both"),
        (None, (TINY.encode(), "tiny.txt"), "The selected file must be a .yaml or .yml file"),
        (None, (b"key: caf\xe9\n", "tiny.yaml"), "The selected file must be UTF-8 text"),
    ],
)
def test_the_import_form_needs_one_readable_source(convenor, text, file, message):
    before = table_snapshot()
    response = post_import(convenor, text=text, file=file)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert table_snapshot() == before


def test_importing_into_a_framework_that_has_a_draft_is_refused(convenor, world):
    install_default_framework(world.collaborative)
    db.session.commit()
    first = post_import(convenor, text=write_framework_yaml(default_framework_spec()))
    assert first.status_code == 302
    before = table_snapshot()

    second = post_import(convenor, text=write_framework_yaml(default_framework_spec()))

    assert "already has a draft version" in second.get_data(as_text=True)
    assert table_snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Framework)) == 1
