"""Access tokens: signed, expiring, and refused when forged, expired or without a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from api.security import TokenError, create_access_token, read_access_token, secret_key
from settings import AuthSettings, SettingsError

KEY = "k" * 32


def test_a_token_names_its_user_and_expires_when_it_says() -> None:
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    token = create_access_token("li.wei", key=KEY, minutes=480, now=now)
    assert token.expires_at == now + timedelta(hours=8)
    # The token was issued in the past: read its claims without checking the times.
    claims = jwt.decode(
        token.token, KEY, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["sub"] == "li.wei"
    assert claims["exp"] == int(token.expires_at.timestamp())


def test_a_fresh_token_reads_back_as_its_username() -> None:
    token = create_access_token("li.wei", key=KEY, minutes=5)
    assert read_access_token(token.token, key=KEY) == "li.wei"


def test_an_expired_token_is_refused_as_expired() -> None:
    issued = datetime.now(UTC) - timedelta(minutes=10)
    token = create_access_token("li.wei", key=KEY, minutes=5, now=issued)
    with pytest.raises(TokenError, match="expired"):
        read_access_token(token.token, key=KEY)


@pytest.mark.parametrize(
    "token",
    [
        # signed with another key
        create_access_token("li.wei", key="x" * 32, minutes=5).token,
        # not a token at all
        "not.a.token",
        # unsigned ("alg": "none")
        jwt.encode({"sub": "li.wei", "exp": 9999999999, "iat": 0}, None, algorithm="none"),
        # signed, but naming nobody
        jwt.encode({"exp": 9999999999, "iat": 0}, KEY, algorithm="HS256"),
    ],
)
def test_a_forged_or_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(TokenError, match="invalid"):
        read_access_token(token, key=KEY)


def test_the_service_needs_a_long_enough_key_and_never_prints_it() -> None:
    with pytest.raises(SettingsError, match="SHUYUN_AUTH__SECRET_KEY"):
        secret_key(AuthSettings())
    with pytest.raises(SettingsError, match="<6 characters>") as error:
        secret_key(AuthSettings(secret_key=SecretStr("qwerty")))
    assert "qwerty" not in str(error.value)
    assert secret_key(AuthSettings(secret_key=SecretStr(KEY))) == KEY
