"""The service's request and response shapes, by resource, separate from the tables.

Each resource has a family: ``XCreate`` (what a client sends to make one), ``XRead`` (what
the service answers), ``XUpdate`` (a change) where there is one, and ``XPage`` (a page of
``XRead`` with the total, for ``limit``/``offset`` paging). Patron data never goes beyond
a card's last four digits.
"""

from api.schemas.auth import Token, UserRead
from api.schemas.circulation import LoanCreate, LoanRead, ReturnCreate, ReturnRead
from api.schemas.common import ErrorRead, Page
from api.schemas.health import CheckRead, HealthRead
from api.schemas.holds import HoldCreate, HoldRead
from api.schemas.records import ItemRead, RecordHitRead, RecordPage, SiteAvailabilityRead
from api.schemas.sites import OpeningIntervalRead, SitePage, SiteRead

__all__ = [
    "CheckRead",
    "ErrorRead",
    "HealthRead",
    "HoldCreate",
    "HoldRead",
    "ItemRead",
    "LoanCreate",
    "LoanRead",
    "OpeningIntervalRead",
    "Page",
    "RecordHitRead",
    "RecordPage",
    "ReturnCreate",
    "ReturnRead",
    "SiteAvailabilityRead",
    "SitePage",
    "SiteRead",
    "Token",
    "UserRead",
]
