"""One router per resource, thin: parse the request, call a catalogue service, shape the answer.

Business rules live in :mod:`catalog`'s service functions; permissions in :mod:`api.deps`;
the mapping of refusals to statuses in :mod:`api.errors`.
"""
