"""dispatch.parts: a crate group bigger than a van, split into van-sized parts."""

from __future__ import annotations

import pytest

from dispatch.parts import Part, SplitError, fits, split_group

VAN = (40, 600)
"""A demo van: 40 crates, 600 kg."""


def group(items: int, *, books_per_crate: int = 30, kg_per_book: float = 0.5) -> dict:
    """A group of ``items`` transfers (ids 1..items) as the catalogue counts it."""
    return {
        "transfer_ids": tuple(range(1, items + 1)),
        "crates": -(-items // books_per_crate),
        "kg": items * kg_per_book,
        "books_per_crate": books_per_crate,
    }


@pytest.mark.parametrize(
    ("items", "capacity", "crates", "kg"),
    [
        # fits: one part, the whole group
        (30, VAN, [1], [15.0]),
        (1200, VAN, [40], [600.0]),  # exactly a van
        # the batch: 60 crates in vans of 40 are two parts of 30
        (1800, VAN, [30, 30], [450.0, 450.0]),
        # the partly filled crate rides in the last part
        (1790, VAN, [30, 30], [450.0, 445.0]),
        # one crate over a van: two parts, the larger first
        (1230, VAN, [21, 20], [315.0, 300.0]),
        # 81 crates: three parts of 27
        (2430, VAN, [27, 27, 27], [405.0, 405.0, 405.0]),
        # kg binds first: 300 kg is 20 crates of 15 kg
        (1800, (40, 300), [20, 20, 20], [300.0, 300.0, 300.0]),
        # a van measured in crates only
        (1800, (40,), [30, 30], [450.0, 450.0]),
    ],
)
def test_a_group_is_split_into_as_few_even_parts_as_fit(
    items: int, capacity: tuple[int, ...], crates: list[int], kg: list[float]
) -> None:
    parts = split_group(**group(items), capacity=capacity)
    assert [p.crates for p in parts] == crates
    assert [p.kg for p in parts] == pytest.approx(kg)
    assert all(fits(p, capacity) for p in parts)
    # every transfer in exactly one part, in the group's order
    assert [t for p in parts for t in p.transfer_ids] == list(range(1, items + 1))
    # each part's crates are its own items' crates
    assert all(p.crates == -(-len(p.transfer_ids) // 30) for p in parts)


def test_a_group_that_fits_is_returned_whole() -> None:
    (part,) = split_group((7, 3, 9), crates=1, kg=1.5, capacity=VAN, books_per_crate=30)
    assert part == Part((7, 3, 9), 1, 1.5)


def test_a_crate_heavier_than_the_van_stays_whole_for_the_optimiser_to_refuse() -> None:
    # 30 books of 2 kg are a 60 kg crate; the van takes 50 kg. A transfer (one item) is
    # never split, so there is no van-sized part: the group stays whole.
    heavy = group(60, kg_per_book=2.0)
    (part,) = split_group(**heavy, capacity=(40, 50))
    assert part.crates == 2 and part.transfer_ids == heavy["transfer_ids"]


@pytest.mark.parametrize(
    ("crates", "books_per_crate", "message"),
    [
        # 1800 items are 60 crates of 30, not 2
        (2, 30, r"^crates=2: 1800 items make 60 crates of 30 books$"),
        # no books in a crate
        (60, 0, r"^books_per_crate=0: must be >= 1$"),
    ],
)
def test_a_group_to_split_that_does_not_add_up_is_refused_naming_the_field(
    crates: int, books_per_crate: int, message: str
) -> None:
    with pytest.raises(SplitError, match=message):
        split_group(
            tuple(range(1800)),
            crates=crates,
            kg=2000.0,  # too heavy for one van, so the split is needed
            capacity=VAN,
            books_per_crate=books_per_crate,
        )


@pytest.mark.parametrize(
    ("part", "capacity", "expected"),
    [
        (Part((1,), 40, 600.0), VAN, True),  # full by both measures
        (Part((1,), 41, 10.0), VAN, False),  # a crate too many
        (Part((1,), 1, 600.2), VAN, False),  # kg rounded up: 601
        (Part((1,), 40, 9999.0), (40,), True),  # crates only
    ],
)
def test_fits(part: Part, capacity: tuple[int, ...], expected: bool) -> None:
    assert fits(part, capacity) is expected
