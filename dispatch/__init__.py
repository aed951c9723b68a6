"""dispatch: a day of van dispatch, composed of the catalogue, the street network and the optimiser.

Open transfers (调拨) are read from the catalogue, grouped into the optimiser's shipments
(:mod:`dispatch.shipments`; a group bigger than a van in parts, :mod:`dispatch.parts`) by the
transfer kinds' one policy table (:mod:`dispatch.kinds`), solved on the day's sites and
matrices, and the plan is recorded back: every transfer planned on a van's stop or deferred
(延后) with a reason (:mod:`dispatch.day`).
:mod:`dispatch.network` snaps sites onto the street graph and gives the route sheets their
legs; :mod:`dispatch.demo_sites` and :mod:`dispatch.demo_day` hold the demo network and fleet
(演示数据).

Imports: :mod:`catalog`, :mod:`geo` and :mod:`optimizer`, never :mod:`api`.
"""

from dispatch.day import DayPlan, KindCounts, plan_day, summarise
from dispatch.demo_day import build_problem, demo_vans, generated_shipments, site_model
from dispatch.demo_sites import (
    BRANCH_HOURS,
    CENTRAL_HOURS,
    CENTRAL_POINT,
    SERVICE_POINT_HOURS,
    DemoSite,
    central_site,
    demo_sites,
)
from dispatch.errors import DispatchError
from dispatch.fleet import optimizer_van, save_vans, vans_for_day
from dispatch.kinds import (
    CRATE_KG,
    SHIPMENT_KIND,
    TRANSFER_POLICY,
    DeadlineRule,
    TransferPolicy,
    shipment_policy,
)
from dispatch.network import Leg, SiteNetwork, site_leg, site_network
from dispatch.parts import Part, SplitError, split_group
from dispatch.shipments import (
    ShipmentTransfers,
    demand_to_shipments,
    record_result,
    site_codes,
)

__all__ = [
    "BRANCH_HOURS",
    "CENTRAL_HOURS",
    "CENTRAL_POINT",
    "CRATE_KG",
    "SERVICE_POINT_HOURS",
    "SHIPMENT_KIND",
    "TRANSFER_POLICY",
    "DayPlan",
    "DeadlineRule",
    "DemoSite",
    "DispatchError",
    "KindCounts",
    "Leg",
    "Part",
    "ShipmentTransfers",
    "SiteNetwork",
    "SplitError",
    "TransferPolicy",
    "build_problem",
    "central_site",
    "demand_to_shipments",
    "demo_sites",
    "demo_vans",
    "generated_shipments",
    "optimizer_van",
    "plan_day",
    "record_result",
    "save_vans",
    "shipment_policy",
    "site_codes",
    "site_leg",
    "site_model",
    "site_network",
    "split_group",
    "summarise",
    "vans_for_day",
]
