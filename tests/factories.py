"""factory_boy factories. They flush but never commit: the test decides."""

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from maturity.accounts.models import Role, RoleGrant, User
from maturity.collaboratives.models import Collaborative, Membership, PeerVisibility
from maturity.db import db
from maturity.organisations.models import Organisation, OrganisationKind

PASSWORD = "correct horse battery staple"
# Still scrypt, as in production, but with a low work factor: tests sign in thousands of
# times, and checking a hash costs what making it did.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    kind = OrganisationKind.UNITARY
    region = "North West"


class CollaborativeFactory(BaseFactory):
    class Meta:
        model = Collaborative

    name = factory.Sequence(lambda n: f"Collaborative {n}")
    slug = factory.Sequence(lambda n: f"collaborative-{n}")
    convening_organisation = factory.SubFactory(
        OrganisationFactory, kind=OrganisationKind.CONVENING_BODY
    )
    peer_visibility = PeerVisibility.NAMED
    min_group_size = 5


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    collaborative = factory.SubFactory(CollaborativeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    comparator_tags = factory.LazyFunction(list)


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = PASSWORD_HASH


class RoleGrantFactory(BaseFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.RESPONDENT
