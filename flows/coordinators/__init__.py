"""The coordinators' side: one conversation a module, all behind flows.coordinators.access."""

from flows.coordinators import (  # noqa: F401
    beheer,
    broadcast,
    changes,
    freshness,
    handovers,
    resource_csv,
    resource_manage,
    resource_new,
    statistics,
)
