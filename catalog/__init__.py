"""The catalogue: sites, records, items, patrons, circulation, holds and transfers.

Modules: :mod:`catalog.models` (tables), :mod:`catalog.db` (engines, migrations),
:mod:`catalog.settings`, :mod:`catalog.policy` (the one table of transfer-kind policy and
the crate), :mod:`catalog.errors` (the :class:`~catalog.errors.CirculationError`
family), and service modules of plain functions with a keyword-only session:
:mod:`catalog.sites`, :mod:`catalog.circulation`, :mod:`catalog.holds`,
:mod:`catalog.transfers`. Travel times come in through :class:`catalog.travel.TravelTimes`.
"""
