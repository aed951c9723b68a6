"""dispatch.demo_day: the demo fleet and the generated day read the one policy table."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from catalog.models import TransferKind
from catalog.policy import BOOKS_PER_CRATE, KG_PER_BOOK
from catalog.transfers import TransferDemand
from dispatch import (
    BRANCH_HOURS,
    CRATE_KG,
    SERVICE_POINT_HOURS,
    SHIPMENT_KIND,
    DemoSite,
    central_site,
    demand_to_shipments,
    demo_vans,
    generated_shipments,
    shipment_policy,
)
from optimizer import ShipmentKind


def _site(code: str, kind: str) -> DemoSite:
    hours = BRANCH_HOURS if kind == "branch" else SERVICE_POINT_HOURS
    return DemoSite(code, kind, code, code, "", 108.95, 34.25, hours, 300)


SITES = [
    central_site(),
    _site("branch-a", "branch"),
    _site("branch-b", "branch"),
    _site("sp-a", "service_point"),
    _site("sp-b", "service_point"),
]
"""Hand-made demo sites: the generator needs a central library, two branches, others."""


def test_generated_shipments_follow_the_policy_table() -> None:
    shipments = generated_shipments(SITES, count=150, seed=3)
    assert {s.kind for s in shipments} == set(ShipmentKind)
    closing = {s.id: max(close for _, close in s.hours) for s in SITES}
    for shipment in shipments:
        rule = shipment_policy(shipment.kind)
        crates, kg = shipment.amount
        assert shipment.priority == rule.priority
        assert shipment.deferrable == rule.deferrable
        assert shipment.penalty == pytest.approx(rule.penalty_per_crate * crates)
        assert kg == crates * CRATE_KG  # 15 kg a crate, whole
        # Every generated hold is due today, by its destination's closing time.
        expected = closing[shipment.delivery] if rule.binds_van_day else None
        assert shipment.deadline == expected


@pytest.mark.parametrize("kind", list(TransferKind))
def test_the_demo_day_and_the_adapter_price_a_kind_alike(kind: TransferKind) -> None:
    # What the benchmarks plan (generated) and what the product plans (from the catalogue's
    # demand) must be the same policy: same priority, deferrability and penalty per crate.
    shipments = generated_shipments(SITES, count=150, seed=3)
    generated = next(s for s in shipments if s.kind is SHIPMENT_KIND[kind])
    crates = generated.amount[0]
    day = date(2026, 11, 24)
    books = tuple(range(1, crates * BOOKS_PER_CRATE + 1))  # full crates
    demand = TransferDemand(
        origin_site_id=1,
        destination_site_id=2,
        kind=kind,
        items=len(books),
        crates=crates,
        kg=len(books) * KG_PER_BOOK,
        earliest_deadline=datetime.combine(day, time(17)),
        priority=0,
        transfer_ids=books,
    )
    (product,), _ = demand_to_shipments([demand], site_code_of={1: "a", 2: "b"}, day=day)
    assert (product.priority, product.deferrable, product.penalty, product.amount) == (
        generated.priority,
        generated.deferrable,
        generated.penalty,
        generated.amount,
    )


def test_a_demo_van_holds_forty_full_crates_by_both_measures() -> None:
    (van,) = demo_vans(count=1)
    crates, kg = van.capacity
    assert crates == 40 and kg == crates * CRATE_KG
