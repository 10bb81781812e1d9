"""The demo collaborative's organisations and people (deterministic for a given seed)."""

import random
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa

from maturity.accounts.models import Role, User
from maturity.accounts.passwords import hash_password
from maturity.accounts.services import grant_role
from maturity.collaboratives.models import Collaborative, PeerVisibility
from maturity.collaboratives.services import add_member, create_collaborative
from maturity.db import db
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.organisations.services import create_organisation

DEMO_PASSWORD = "placewise-demo-2026"
DEMO_DOMAIN = "placewise.example"
DEMO_COLLABORATIVE = "Northern Places Partnership"
SECOND_COLLABORATIVE = "Coastal Councils Network"

# Fictional councils:
# (short name, name, kind, region, population, comparator tags, in the coastal network)
COUNCILS = [
    (
        "ashby-moor",
        "Ashby Moor Metropolitan Borough Council",
        "metropolitan_district",
        "North West",
        231_000,
        ["metropolitan"],
        False,
    ),
    (
        "brackenfield",
        "Brackenfield City Council",
        "unitary",
        "Yorkshire and the Humber",
        318_000,
        ["city"],
        False,
    ),
    (
        "calder-vale",
        "Calder Vale District Council",
        "district",
        "North West",
        98_000,
        ["rural"],
        False,
    ),
    (
        "dunmore-bay",
        "Dunmore Bay Borough Council",
        "unitary",
        "North East",
        142_000,
        ["coastal"],
        True,
    ),
    (
        "eskdale",
        "Eskdale County Council",
        "county",
        "North West",
        512_000,
        ["county", "rural"],
        False,
    ),
    (
        "fellside",
        "Fellside Metropolitan Borough Council",
        "metropolitan_district",
        "Yorkshire and the Humber",
        267_000,
        ["metropolitan"],
        False,
    ),
    ("greywater", "Greywater Council", "unitary", "North East", 189_000, ["coastal"], True),
    (
        "harrowgate-sands",
        "Harrowgate Sands Borough Council",
        "district",
        "North West",
        76_000,
        ["coastal", "rural"],
        True,
    ),
    (
        "irkbridge",
        "Irkbridge City Council",
        "metropolitan_district",
        "North West",
        402_000,
        ["metropolitan", "city"],
        False,
    ),
    (
        "jarrow-heath",
        "Jarrow Heath District Council",
        "district",
        "North East",
        88_000,
        ["rural"],
        False,
    ),
    (
        "kilnsey",
        "Kilnsey Metropolitan Borough Council",
        "metropolitan_district",
        "Yorkshire and the Humber",
        305_000,
        ["metropolitan"],
        False,
    ),
    ("lunesdale", "Lunesdale Council", "unitary", "North West", 156_000, ["coastal"], True),
]
RESPONDENTS_PER_COUNCIL = 2


@dataclass
class DemoSignIns:
    """The demo accounts, to print for whoever ran the seed."""

    password: str = DEMO_PASSWORD
    accounts: list[tuple[str, str]] = field(default_factory=list)


@cache
def _demo_password_hash() -> str:
    # Every demo account shares the demo password, so one (slow, scrypt) hash serves all.
    return hash_password(DEMO_PASSWORD)


def _person(email: str, name: str) -> User:
    user = User(email=email, name=name, password_hash=_demo_password_hash())
    db.session.add(user)
    db.session.flush()
    return user


def demo_is_seeded() -> bool:
    """Whether the demo collaborative already exists."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(Collaborative.name == DEMO_COLLABORATIVE)
        )
        > 0
    )


def demo_sign_ins() -> DemoSignIns:
    """The demo accounts a person can sign in with, by role."""
    first = COUNCILS[0][1]
    return DemoSignIns(
        accounts=[
            ("Platform admin", f"admin@{DEMO_DOMAIN}"),
            (f"Convenor of {DEMO_COLLABORATIVE}", f"convenor@{DEMO_DOMAIN}"),
            (f"Coordinator at {first}", f"coordinator.ashby-moor@{DEMO_DOMAIN}"),
            (f"Respondent at {first}", f"respondent1.ashby-moor@{DEMO_DOMAIN}"),
        ]
    )


def seed_people_and_places(seed: int = 1) -> list[Organisation]:
    """Create the demo councils, the convening body, two collaboratives and their people."""
    rng = random.Random(seed)
    admin = _person(f"admin@{DEMO_DOMAIN}", "Alex Admin")
    grant_role(admin, Role.ADMIN)
    foundation = create_organisation(
        "Northern Places Foundation", OrganisationKind.CONVENING_BODY, region="North of England"
    )
    partnership = create_collaborative(
        DEMO_COLLABORATIVE,
        foundation,
        peer_visibility=PeerVisibility.NAMED,
        min_group_size=5,
        actor_id=admin.id,
    )
    network = create_collaborative(
        SECOND_COLLABORATIVE,
        foundation,
        peer_visibility=PeerVisibility.ANONYMISED,
        min_group_size=5,
        actor_id=admin.id,
    )
    convenor = _person(f"convenor@{DEMO_DOMAIN}", "Chris Convenor")
    grant_role(convenor, Role.CONVENOR, collaborative=partnership, granted_by=admin)
    grant_role(convenor, Role.CONVENOR, collaborative=network, granted_by=admin)
    councils = []
    for short, name, kind, region, population, tags, coastal in COUNCILS:
        council = create_organisation(
            name, OrganisationKind(kind), region=region, population=population
        )
        add_member(partnership, council, [*tags, region.lower()], actor_id=convenor.id)
        if coastal:
            add_member(network, council, [], actor_id=convenor.id)
        coordinator = _person(
            f"coordinator.{short}@{DEMO_DOMAIN}", f"{rng.choice(FIRST_NAMES)} Coordinator"
        )
        grant_role(coordinator, Role.COORDINATOR, organisation=council, granted_by=convenor)
        for number in range(1, RESPONDENTS_PER_COUNCIL + 1):
            respondent = _person(
                f"respondent{number}.{short}@{DEMO_DOMAIN}",
                f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
            )
            grant_role(respondent, Role.RESPONDENT, organisation=council, granted_by=coordinator)
        councils.append(council)
    return councils


FIRST_NAMES = [
    "Sam",
    "Priya",
    "Jordan",
    "Aisha",
    "Tom",
    "Megan",
    "Kwame",
    "Hannah",
    "Oliver",
    "Zara",
]
SURNAMES = [
    "Patel",
    "Hughes",
    "Okafor",
    "Lindqvist",
    "Brennan",
    "Shah",
    "Morgan",
    "Doyle",
    "Evans",
    "Khan",
]
