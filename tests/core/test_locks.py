"""No two jobs share an advisory lock key (the order-day recount once shared the monthly settlement's)."""

from core import locks


def test_every_advisory_lock_key_is_its_own():
    assert len(locks.ALL) >= 4 and len(set(locks.ALL.values())) == len(locks.ALL)
