"""Labels per second: one batch of 1,000 label pages (76×130 mm, Code 128, CJK text) into one PDF.

    python -m bench.labels [--quick|--smoke] [--count N]

Rendering only (no database): the same function the print views call. Last line:
RESULT labels count=… seconds=… labels_per_s=… mb=…
"""

import os
import sys
import time
from decimal import Decimal
from types import SimpleNamespace

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = ("count", "seconds", "labels_per_s", "mb")


def main(argv):
    quick = "--quick" in argv
    smoke = "--smoke" in argv
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else (50 if smoke else 200 if quick else 1000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from logistics.labels import labels_pdf

    orders = [
        SimpleNamespace(
            waybill_no=f"3{i:011d}",
            channel_order_id=f"LP{i:010d}",
            receiver_name="李四",
            receiver_phone="13900000000",
            receiver_province="上海市",
            receiver_city="",
            receiver_district="浦东新区",
            receiver_address=f"世纪大道{i % 900}号",
            sender_name="张三",
            sender_phone="13812345678",
            sender_province="浙江省",
            sender_city="杭州市",
            sender_district="西湖区",
            sender_address="文三路90号",
            goods="衣服",
            weight_kg=Decimal("1.50"),
            channel=SimpleNamespace(name="淘宝"),
            site=SimpleNamespace(name="杭州西湖区网点"),
        )
        for i in range(count)
    ]
    labels_pdf(orders[:5])  # font registration out of the measurement
    started = time.perf_counter()
    pdf = labels_pdf(orders)
    seconds = time.perf_counter() - started
    print(f"{count} labels in {seconds:.2f} s, {len(pdf) / 1e6:.1f} MB")
    print(
        f"RESULT labels count={count} seconds={seconds:.2f} labels_per_s={count / seconds:.0f} mb={len(pdf) / 1e6:.1f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
