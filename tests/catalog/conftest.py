"""Fixtures of the catalogue tests: the named four-site network."""

from __future__ import annotations

import pytest
from catalog_network import Network, build_network
from sqlalchemy.orm import Session


@pytest.fixture
def net(db_session: Session) -> Network:
    """The four-site test network in a rolled-back session."""
    return build_network(db_session)
