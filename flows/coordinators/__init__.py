"""The coordinators' side: one conversation a module, all behind flows.coordinators.access."""

from flows.coordinators import beheer  # noqa: F401
