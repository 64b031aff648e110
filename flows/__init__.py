"""The conversations, transport-free. Importing this package registers every flow's steps."""

# Importing a flow module registers its steps.
from flows import (  # noqa: F401
    burden_check,
    consult,
    consult_thread,
    coordinators,
    crisis,
    find_help,
    followup,
    information,
    language,
    menu,
    my_data,
    onboarding,
    places,
    prepare_conversation,
    profile,
    recognise,
    reminders,
    settings,
)
from flows.engine import Choice, Document, Engine, Incoming, Reply

__all__ = ["Choice", "Document", "Engine", "Incoming", "Reply"]
