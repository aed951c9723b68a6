"""Sign-in (OAuth2 password flow at POST /auth/token) and GET /auth/me."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_seed import bearer, expired, password
from sqlalchemy import update

from api.security import create_access_token
from catalog.models import User


def _sign_in(client: TestClient, username: str, secret: str) -> dict[str, object]:
    response = client.post("/auth/token", data={"username": username, "password": secret})
    return {"status": response.status_code, **response.json()}


def test_signing_in_gives_a_bearer_token_with_its_expiry(client: TestClient) -> None:
    answer = _sign_in(client, "desk.east", password("desk.east"))
    assert answer["status"] == 200
    assert answer["token_type"] == "bearer"
    assert answer["expires_in"] == 480 * 60  # the settings' default working day
    token = answer["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "desk.east", "role": "branch_staff", "site_code": "east"}


@pytest.mark.parametrize(
    ("username", "secret"),
    [
        # the right name, a wrong password
        ("desk.east", "password of desk.west"),
        # a name nobody has
        ("nobody", "password of nobody"),
    ],
)
def test_a_wrong_sign_in_does_not_say_which_part_was_wrong(
    client: TestClient, username: str, secret: str
) -> None:
    answer = _sign_in(client, username, secret)
    assert answer["status"] == 401
    assert answer["detail"] == "用户名或密码错误 / wrong username or password"


def test_a_sign_in_without_a_password_names_the_missing_field(client: TestClient) -> None:
    response = client.post("/auth/token", data={"username": "admin"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "password"]]


def test_me_needs_a_token(client: TestClient) -> None:
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "not signed in" in response.json()["detail"]


def test_me_refuses_an_expired_token(client: TestClient) -> None:
    response = client.get("/auth/me", headers=expired("admin"))
    assert (response.status_code, response.json()["detail"]) == (
        401,
        "登录已过期 / token expired: sign in again",
    )


def test_a_token_signed_with_another_key_is_refused(client: TestClient) -> None:
    forged = create_access_token("admin", key="another key of at least 32 chars!", minutes=5)
    response = client.get("/auth/me", headers={"Authorization": f"Bearer {forged.token}"})
    assert response.status_code == 401


def test_a_disabled_account_is_stopped_at_its_next_request(client: TestClient) -> None:
    headers = bearer("planner")
    assert client.get("/auth/me", headers=headers).status_code == 200
    with client.app.state.services.sessions() as session:  # type: ignore[attr-defined]
        session.execute(update(User).where(User.username == "planner").values(active=False))
        session.commit()
    assert client.get("/auth/me", headers=headers).status_code == 401
    assert _sign_in(client, "planner", password("planner"))["status"] == 401
