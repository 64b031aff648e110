"""The conversations, transport-free. Importing this package registers every flow's steps."""

from flows import crisis, find_help, menu, onboarding  # noqa: F401  (registers the steps)
from flows.engine import Choice, Document, Engine, Incoming, Reply

__all__ = ["Choice", "Document", "Engine", "Incoming", "Reply"]
