"""Every PostgreSQL advisory lock key of the project, in one place so that no two jobs share one by accident
(a shared key makes one job skip or wait whenever the other runs). ``tests/core/test_locks.py`` checks they
differ."""

SLA_SWEEP = 0x51A5_0001  # penalties.sweep: one sweep at a time (a second one skips)
SETTLEMENT = 0x51A5_0002  # penalties.money: monthly settlement and the ledger's corrections, one at a time
WORK_ORDERS_OVERDUE = 0x51A5_0003  # complaints.services: the overdue job, one at a time
ORDER_DAY_COUNTS = 0x51A5_0004  # orders.stats: one recount of order days at a time
PERSONAL_DATA_ERASURE = 0x51A5_0005  # retention.services: one erasure run at a time (a second one skips)

ALL = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, int)}
