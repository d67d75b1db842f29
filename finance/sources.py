"""What a ledger line is about, in words: the order it concerns (with its page) and the act in plain words. The
ledger points at its sources by reference (type and id) and this app imports no domain app, so each app above
registers, from its ``ready``, how its sources are named (``source_describer_register``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import LedgerEntry


@dataclass(frozen=True)
class Source:
    order_no: str = ""  # the order's 物流号 (or a work order's number)
    order_url: str = ""  # its page
    text: str = ""  # the act in plain words: the violation, and for a reversal why it was reversed
    url: str = ""  # the act's page (the violation)


_DESCRIBERS: dict[str, Callable[[list[LedgerEntry]], dict[int, Source]]] = {}


def source_describer_register(source_type: str, describe: Callable[[list[LedgerEntry]], dict[int, Source]]) -> None:
    """``describe(entries)`` names the entries of one source type: ``{entry id: Source}``, in one query or two."""
    _DESCRIBERS[source_type] = describe


def sources_describe(entries: Iterable[LedgerEntry]) -> dict[int, Source]:
    """Every entry's source, by entry id; an entry no app names falls back to its own note."""
    by_type: dict[str, list[LedgerEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.source_type, []).append(entry)
    out: dict[int, Source] = {}
    for source_type, group in by_type.items():
        described = _DESCRIBERS[source_type](group) if source_type in _DESCRIBERS else {}
        for entry in group:
            out[entry.pk] = described.get(entry.pk) or Source(text=entry.note)
    return out


def source_lines(entries: Iterable[LedgerEntry]) -> list[tuple[LedgerEntry, Source]]:
    """(entry, source) for each ledger line, in the order given."""
    entries = list(entries)
    sources = sources_describe(entries)
    return [(e, sources[e.pk]) for e in entries]
