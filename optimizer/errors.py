"""The one error type of the optimiser's input checks."""

from __future__ import annotations


class ProblemError(ValueError):
    """Invalid problem input; the message names the field and the value.

    Raised while building a problem model, and by ``solve`` only for
    ``initial_routes`` that name an unknown van or shipment: a valid problem
    always gets a ``Result``, with anything that cannot be planned listed as
    unassigned with a reason.
    """
