"""Demo sites: one central library, one branch per sub-district, labelled service points."""

from __future__ import annotations

from collections import Counter

from dispatch.demo_sites import demo_sites
from settings import load_settings


def _sites(seed: int = 7) -> list:
    s = load_settings().data
    return demo_sites(
        subdistrict_points=s.subdistrict_points_file,
        communities=s.communities_file,
        boundary=s.boundary_file,
        service_points=30,
        seed=seed,
    )


def test_demo_network_has_central_eight_branches_and_service_points() -> None:
    kinds = Counter(site.kind for site in _sites())
    assert kinds == {"central": 1, "branch": 8, "service_point": 30}


def test_demo_sites_are_reproducible_and_labelled_as_demo() -> None:
    first, again = _sites(), _sites()
    assert first == again
    assert all("演示" in site.label_zh for site in first)
    assert len({site.id for site in first}) == len(first)


def test_branches_close_for_lunch_and_central_does_not() -> None:
    sites = {s.kind: s for s in _sites()}
    assert len(sites["branch"].hours) == 2
    assert sites["branch"].hours[0][1] < sites["branch"].hours[1][0]
    assert len(sites["central"].hours) == 1
