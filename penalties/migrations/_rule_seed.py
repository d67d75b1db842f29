"""The rule book's first rows: the six rules of SPEC §4 with the deck's 2017 fines and the two work-order rules,
in force from 2017-01-01. Plain data, read by the migrations that first wrote them (0002, 0005) and by
``tests.rulebook_seed.rules_seed`` for a database whose tables were emptied."""

from datetime import UTC, datetime

SEED_FROM = datetime(2017, 1, 1, tzinfo=UTC)

#: (code, fine CNY, threshold minutes, description)
ORDER_RULES = [
    ("LATE_ACCEPT", "100", 30, "30 分钟内未接单、接单失败或转单（接单时间 − 订单时间 > 30 分钟）"),
    ("LATE_PICKUP", "100", 960, "16 小时内未揽件确认或揽收失败（揽件时间 − 订单时间 > 16 小时）"),
    ("FALSE_FAIL_REASON", "100", None, "虚假反馈接单失败、揽收失败原因"),
    ("FALSE_WAYBILL", "500", None, "虚假反馈揽收运单号"),
    ("WRONG_ACCEPT", "100", None, "接单错误：非本网点订单进行系统操作，影响正确取件网点操作"),
    ("LATE_OR_WRONG_TRANSFER", "100", None, "非本网点服务范围，未在 30 分钟内转单或转单至错误的网点"),
]
WORK_ORDER_RULES = [
    ("WO_LATE", "50", None, "菜鸟工单超过处理时限回复（系统处理时效）"),
    ("WO_QUALITY", "20", None, "菜鸟工单回复被总部首次审核退回（处理质量）"),
]
