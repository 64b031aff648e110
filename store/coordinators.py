"""Coordinators, their areas and invite codes. Every change is written to the audit log here, in
the caller's transaction, so no path can change a role without a trace."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from store import areas, audit, users
from store.db import Tx

ROLES = ("coordinator", "admin")
INVITE_VALID = timedelta(hours=48)
# No 0/O or 1/I/L: a code is read from one screen and typed on another.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Coordinator:
    user_id: int
    role: str
    name: str
    org: str
    areas: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""

    def summary(self) -> dict[str, Any]:
        """What the audit log keeps of a coordinator, before and after a change."""
        return {"role": self.role, "name": self.name, "org": self.org, "areas": list(self.areas)}


@dataclass(frozen=True)
class Listed:
    coordinator: Coordinator
    channel: str
    external_id: str
    language: str | None = None


async def get(tx: Tx, user_id: int) -> Coordinator | None:
    async with tx.execute(
        "SELECT c.user_id, c.role, c.name, c.org, "
        "(SELECT group_concat(area_code, ';') FROM "
        " (SELECT area_code FROM coordinator_areas WHERE user_id = c.user_id ORDER BY area_code))"
        " AS areas FROM coordinators c WHERE c.user_id = ?",
        (user_id,),
    ) as cur:
        row = await cur.fetchone()
    return _from_row(row) if row else None


def _from_row(row) -> Coordinator:
    return Coordinator(
        user_id=row["user_id"],
        role=row["role"],
        name=row["name"],
        org=row["org"],
        areas=tuple(a for a in (row["areas"] or "").split(";") if a),
    )


async def list_all(tx: Tx) -> list[Listed]:
    async with tx.execute(
        "SELECT c.user_id, c.role, c.name, c.org, u.channel, u.external_id, u.language, "
        "(SELECT group_concat(area_code, ';') FROM "
        " (SELECT area_code FROM coordinator_areas WHERE user_id = c.user_id ORDER BY area_code))"
        " AS areas FROM coordinators c JOIN users u ON u.id = c.user_id "
        "ORDER BY u.channel, u.external_id"
    ) as cur:
        rows = await cur.fetchall()
    return [
        Listed(_from_row(row), row["channel"], row["external_id"], row["language"]) for row in rows
    ]


async def unknown_areas(tx: Tx, codes: list[str]) -> list[str]:
    known = await areas.codes(tx)
    return [code for code in codes if code not in known]


async def save(
    tx: Tx,
    user_id: int,
    *,
    role: str,
    name: str,
    org: str,
    areas: list[str],
    actor: str,
    now: datetime,
) -> Coordinator:
    """Create or change a coordinator (areas replace the old ones); audit-logged old → new."""
    if role not in ROLES:
        raise ValueError(f"unknown role: {role!r}")
    old = await get(tx, user_id)
    await tx.execute(
        "INSERT INTO coordinators (user_id, role, name, org, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, name = excluded.name, "
        "org = excluded.org",
        (user_id, role, name, org, now.isoformat(timespec="seconds")),
    )
    await tx.execute("DELETE FROM coordinator_areas WHERE user_id = ?", (user_id,))
    await tx.executemany(
        "INSERT INTO coordinator_areas (user_id, area_code) VALUES (?, ?)",
        [(user_id, code) for code in sorted(set(areas))],
    )
    new = await get(tx, user_id)
    assert new is not None
    if old is None or old.summary() != new.summary():
        await audit.record(
            tx,
            actor,
            "update" if old else "create",
            "coordinator",
            str(user_id),
            {"old": old.summary() if old else None, "new": new.summary()},
            areas=(*new.areas, *(old.areas if old else ())),
        )
    return new


async def remove(tx: Tx, user_id: int, *, actor: str) -> bool:
    old = await get(tx, user_id)
    if old is None:
        return False
    await tx.execute("DELETE FROM coordinators WHERE user_id = ?", (user_id,))
    await audit.record(
        tx,
        actor,
        "delete",
        "coordinator",
        str(user_id),
        {"old": old.summary(), "new": None},
        areas=old.areas,
    )
    return True


async def user_for(tx: Tx, channel: str, external_id: str, now: datetime) -> int:
    """The internal id of a channel account, creating its user row when there is none yet (staff
    added by an administrator need no carer consent step)."""
    user = await users.get(tx, channel, external_id)
    if user is None:
        user = await users.create(tx, channel, external_id, None, now)
    return user.id


async def for_area(tx: Tx, area_code: str | None) -> list[Listed]:
    """Who answers for this area: its coordinators and those of every area above it, and the
    admins. With no area known, only the admins."""
    above = set(await _up(tx, area_code)) if area_code else set()
    return [
        listed
        for listed in await list_all(tx)
        if listed.coordinator.is_admin or set(listed.coordinator.areas) & above
    ]


async def _up(tx: Tx, area_code: str) -> list[str]:
    async with tx.execute(
        "WITH RECURSIVE up(code, parent, depth) AS ("
        " SELECT code, parent, 0 FROM areas WHERE code = ?"
        " UNION ALL SELECT a.code, a.parent, up.depth + 1"
        " FROM areas a JOIN up ON a.code = up.parent"
        " WHERE up.depth < 32) SELECT code FROM up",
        (area_code,),
    ) as cur:
        return [row[0] for row in await cur.fetchall()]


async def scope(tx: Tx, coordinator: Coordinator) -> set[str] | None:
    """The area codes a coordinator may act on: their areas and everything below them.
    None for an admin, who may act everywhere (national and city-wide too)."""
    if coordinator.is_admin:
        return None
    if not coordinator.areas:
        return set()
    marks = ", ".join("?" for _ in coordinator.areas)
    async with tx.execute(
        "WITH RECURSIVE down(code, depth) AS ("
        f" SELECT code, 0 FROM areas WHERE code IN ({marks})"
        " UNION ALL SELECT a.code, down.depth + 1 FROM areas a JOIN down ON a.parent = down.code"
        " WHERE down.depth < 32) SELECT DISTINCT code FROM down",
        coordinator.areas,
    ) as cur:
        return {row[0] for row in await cur.fetchall()}


async def area_codes(tx: Tx, coordinator: Coordinator) -> list[str]:
    """`scope` as a sorted list: every area code for an admin."""
    allowed = await scope(tx, coordinator)
    return sorted(allowed if allowed is not None else await areas.codes(tx))


async def in_scope(tx: Tx, coordinator: Coordinator, area_codes: list[str]) -> bool:
    """True when every one of the areas lies within the coordinator's areas (or they are admin).
    An empty list is only in scope for an admin."""
    allowed = await scope(tx, coordinator)
    if allowed is None:
        return True
    return bool(area_codes) and set(area_codes) <= allowed


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


async def create_invite(tx: Tx, areas: list[str], *, actor: str, now: datetime) -> str:
    """A new one-time code for a coordinator of `areas`, valid for 48 hours."""
    if not areas:
        raise ValueError("an invite needs at least one area")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    await tx.execute(
        "INSERT INTO coordinator_invites (code_hash, areas, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            _hash(code),
            ";".join(sorted(set(areas))),
            actor,
            _utc(now),
            _utc(now + INVITE_VALID),
        ),
    )
    await audit.record(
        tx, actor, "invite", "coordinator", "-", {"areas": sorted(set(areas))}, areas=areas
    )
    return f"{code[:4]}-{code[4:]}"


async def invite_valid(tx: Tx, code: str, now: datetime) -> bool:
    async with tx.execute(
        "SELECT 1 FROM coordinator_invites WHERE code_hash = ? AND used_at IS NULL "
        "AND expires_at > ?",
        (_hash(code), _utc(now)),
    ) as cur:
        return await cur.fetchone() is not None


async def redeem_invite(
    tx: Tx, code: str, user_id: int, *, name: str, now: datetime
) -> Coordinator | None:
    """Make the user a coordinator of the invite's areas; None when the code is unknown, used or
    expired. An admin stays admin; an existing coordinator gains the areas."""
    async with tx.execute(
        "UPDATE coordinator_invites SET used_at = ? "
        "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING areas",
        (_utc(now), _hash(code), _utc(now)),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return None
    invited = [a for a in row["areas"].split(";") if a]
    old = await get(tx, user_id)
    coordinator = await save(
        tx,
        user_id,
        role=old.role if old else "coordinator",
        name=old.name if old and old.name else name,
        org=old.org if old else "",
        areas=sorted(set(invited) | set(old.areas if old else ())),
        actor=f"invite:{user_id}",
        now=now,
    )
    await tx.execute(
        "UPDATE coordinator_invites SET used_by = ? WHERE code_hash = ?", (user_id, _hash(code))
    )
    return coordinator
