"""Staff accounts: created with a hashed password, a known role, and a site for branch staff."""

from __future__ import annotations

import pytest
from catalog_network import MONDAY, Network
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.errors import CirculationError, NotFoundError
from catalog.models import Role, User
from catalog.users import authenticate, create_user, get_user, hash_password, verify_password

PASSWORD = "correct horse battery"


def test_a_user_is_stored_with_an_argon2id_hash_not_the_password(net: Network) -> None:
    user = create_user(
        net.session, username="li.wei", password=PASSWORD, role="dispatcher", now=MONDAY
    )
    stored = net.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert (user.role, user.site, user.created_at) == (Role.dispatcher, None, MONDAY)


def test_branch_staff_are_bound_to_their_site(net: Network) -> None:
    user = create_user(
        net.session, username="desk.east", password=PASSWORD, role="branch_staff", site_code="east"
    )
    assert user.site is not None and user.site.code == "east"


@pytest.mark.parametrize(
    ("kwargs", "field", "value"),
    [
        # a role the service does not know
        ({"role": "librarian"}, "role", "librarian"),
        # branch staff without their site
        ({"role": "branch_staff"}, "site_code", None),
        # a site nobody has
        ({"role": "branch_staff", "site_code": "nowhere"}, "site_code", "nowhere"),
        # a site for a role that works everywhere
        ({"role": "driver", "site_code": "east"}, "site_code", "east"),
        # a password too short to be one (the value shown is its length)
        ({"role": "admin", "password": "short"}, "password", "5 characters"),
        # a name with spaces around it
        ({"role": "admin", "username": " li "}, "username", " li "),
        # no name at all
        ({"role": "admin", "username": ""}, "username", ""),
    ],
)
def test_bad_accounts_are_refused_naming_the_field_and_the_value(
    net: Network, kwargs: dict[str, str], field: str, value: object
) -> None:
    arguments = {"username": "someone", "password": PASSWORD, **kwargs}
    with pytest.raises(CirculationError) as error:
        create_user(net.session, **arguments)  # type: ignore[arg-type]
    assert (error.value.field, error.value.value) == (field, value)
    assert net.session.scalar(select(User.id)) is None


def test_a_taken_username_is_refused(net: Network) -> None:
    create_user(net.session, username="zhang", password=PASSWORD, role="planner")
    with pytest.raises(CirculationError, match="zhang"):
        create_user(net.session, username="zhang", password=PASSWORD, role="admin")


def test_the_database_refuses_branch_staff_without_a_site(net: Network) -> None:
    net.session.add(
        User(
            username="x",
            password_hash=hash_password(PASSWORD),
            role=Role.branch_staff,
            created_at=MONDAY,
        )
    )
    with pytest.raises(IntegrityError, match=r"branch_staff_has_site|CHECK"):
        net.session.flush()


def test_authenticate_knows_the_right_password_only(net: Network) -> None:
    create_user(net.session, username="wang", password=PASSWORD, role="driver")
    user = authenticate(net.session, username="wang", password=PASSWORD)
    assert user is not None and user.username == "wang"
    assert authenticate(net.session, username="wang", password=PASSWORD + "!") is None
    assert authenticate(net.session, username="nobody", password=PASSWORD) is None


def test_a_deactivated_account_cannot_sign_in(net: Network) -> None:
    user = create_user(net.session, username="gone", password=PASSWORD, role="driver")
    user.active = False
    net.session.flush()
    assert authenticate(net.session, username="gone", password=PASSWORD) is None


def test_an_outdated_hash_is_replaced_at_sign_in(net: Network) -> None:
    from argon2 import PasswordHasher

    user = create_user(net.session, username="old", password=PASSWORD, role="planner")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    net.session.flush()
    old = user.password_hash
    assert authenticate(net.session, username="old", password=PASSWORD) is user
    assert user.password_hash != old and verify_password(user.password_hash, PASSWORD)


def test_a_malformed_hash_never_matches() -> None:
    assert verify_password("not a hash", PASSWORD) is False


def test_get_user_names_the_missing_username(net: Network) -> None:
    with pytest.raises(NotFoundError, match="nobody"):
        get_user(net.session, "nobody")
