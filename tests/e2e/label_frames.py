"""What a courier's phone sees of a printed label: the product's own label PDF (``logistics.labels.labels_pdf``),
rasterised by poppler, its barcode area cropped and laid on a parcel, then turned, tilted, blurred, dimmed, lit
by glare and made noisy, view after view (a fixed seed: the same views every run). Written as one Y4M video for
Chromium's fake camera, each view held for a while; the bottom rows of every frame carry the view's number in
8 black/white blocks (``marker_value`` reads them back), so the page knows which view it read."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageFilter

WIDTH, HEIGHT = 640, 480
MARKER_ROWS = 16
DPI = 300


def label_order(waybill: str) -> SimpleNamespace:
    """An order as the label renderer reads it (no database needed to draw a label)."""
    return SimpleNamespace(
        waybill_no=waybill,
        channel_order_id="LP00123456789",
        receiver_name="李四",
        receiver_phone="13800138000",
        receiver_province="上海市",
        receiver_city="上海市",
        receiver_district="浦东新区",
        receiver_address="世纪大道1号",
        sender_name="张三",
        sender_phone="13900139000",
        sender_province="浙江省",
        sender_city="杭州市",
        sender_district="西湖区",
        sender_address="文三路100号",
        goods="服装",
        weight_kg="1.2",
        channel=SimpleNamespace(name="淘宝"),
        site=SimpleNamespace(name="杭州西湖网点"),
    )


def label_barcode_area(pdf: bytes, workdir: Path) -> Image.Image:
    """The label page at 300 dpi (pdftoppm), cropped to its top: the header, the Code 128 and its digits."""
    path = workdir / "label.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", str(path), str(workdir / "lbl")], check=True
    )
    page = Image.open(next(workdir.glob("lbl*.png"))).convert("L")
    mm = DPI / 25.4
    return page.crop((0, round(3 * mm), page.width, round(36 * mm)))


@dataclass
class View:
    angle: float
    scale: float  # the barcode's width as a share of the frame's width
    blur: float
    motion: int
    contrast: float
    glare: float
    noise: float


def _perspective_coeffs(dst, src):
    """PIL's PERSPECTIVE coefficients mapping output points ``dst`` back to input points ``src``."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def marker_paint(frame: np.ndarray, value: int) -> None:
    block = WIDTH // 8
    frame[-MARKER_ROWS:, :] = 255
    for bit in range(8):
        if value >> (7 - bit) & 1:
            frame[-MARKER_ROWS:, bit * block : (bit + 1) * block] = 0


def marker_value(row: np.ndarray) -> int:
    block = WIDTH // 8
    return sum(1 << (7 - b) for b in range(8) if row[b * block + block // 2] < 128)


def phone_views(count: int, seed: int) -> list[View]:
    rng = np.random.default_rng(seed)
    views = []
    for i in range(count):
        views.append(
            View(
                angle=float(rng.uniform(-20, 20)),
                scale=float(rng.uniform(0.42, 0.66)),
                blur=float(rng.uniform(0.6, 1.6)) if i % 2 == 0 else float(rng.uniform(0.0, 0.6)),
                motion=int(rng.integers(1, 3)) if i % 7 == 3 else 0,  # a shaking hand: 3 or 5 px
                contrast=float(rng.uniform(0.35, 0.6)) if i % 3 == 1 else float(rng.uniform(0.8, 1.0)),
                glare=float(rng.uniform(70, 150)) if i % 3 == 2 else 0.0,
                noise=float(rng.uniform(3, 10)),
            )
        )
    return views


def phone_frame(area: Image.Image, barcode_width_px: float, view: View, rng: np.random.Generator) -> np.ndarray:
    """One camera frame (640×480, luminance) of the label's barcode area as ``view`` says."""
    w, h = area.size
    s = view.scale * WIDTH / barcode_width_px
    cx, cy = w / 2, h * 0.55  # the barcode's centre in the cropped area (10–26 mm of 3–36 mm)
    theta = np.deg2rad(view.angle)
    cos, sin = np.cos(theta), np.sin(theta)
    centre = np.array([WIDTH / 2 + rng.uniform(-40, 40), (HEIGHT - MARKER_ROWS) / 2 + rng.uniform(-30, 30)])
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = []
    tilt = rng.uniform(-0.08, 0.08, size=(4, 2)) * np.array([w, h]) * s  # the phone held not quite parallel
    for k, (x, y) in enumerate(src):
        dx, dy = (x - cx) * s, (y - cy) * s
        dst.append(tuple(centre + np.array([dx * cos - dy * sin, dx * sin + dy * cos]) + tilt[k]))
    coeffs = _perspective_coeffs(dst, src)
    label = area.transform((WIDTH, HEIGHT), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=0)
    mask = Image.new("L", area.size, 255).transform(
        (WIDTH, HEIGHT), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=0
    )
    # a cardboard parcel around the label: brownish grey with fibres
    board = rng.normal(120, 6, size=(HEIGHT, WIDTH)) + np.linspace(-10, 10, WIDTH)[None, :]
    paper = np.asarray(label, float) * rng.uniform(0.9, 0.98)
    alpha = np.asarray(mask, float) / 255
    img = board * (1 - alpha) + paper * alpha
    # light falling off across the frame
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    direction = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(direction) * (xx - WIDTH / 2) + np.sin(direction) * (yy - HEIGHT / 2)) / WIDTH
    img = img * (0.88 + 0.22 * ramp)
    mid = 128
    img = mid + (img - mid) * view.contrast
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if view.blur:
        out = out.filter(ImageFilter.GaussianBlur(view.blur))
    if view.motion:
        n = view.motion * 2 + 1
        kernel = np.zeros((n, n))
        phi = rng.uniform(0, np.pi)
        for t in np.linspace(-view.motion, view.motion, 4 * n):
            kernel[int(round(view.motion + t * np.sin(phi))), int(round(view.motion + t * np.cos(phi)))] = 1
        out = out.filter(ImageFilter.Kernel((n, n), kernel.flatten().tolist(), scale=kernel.sum()))
    img = np.asarray(out, float)
    if view.glare:  # a glossy label under a lamp: a bright, partly burnt-out patch
        gx, gy = centre + rng.uniform(-120, 120, size=2)
        sigma = rng.uniform(35, 70)
        img = img + view.glare * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * sigma**2))
    img = img + rng.normal(0, view.noise, size=img.shape)
    frame = np.clip(img, 0, 255).astype(np.uint8)
    # the camera's own JPEG pipeline
    from io import BytesIO

    buf = BytesIO()
    Image.fromarray(frame).save(buf, "JPEG", quality=int(rng.integers(70, 90)))
    return np.asarray(Image.open(BytesIO(buf.getvalue())).convert("L")).copy()


def barcode_width(area: Image.Image) -> float:
    """The printed barcode's width in the cropped area's pixels (from its first to its last dark column)."""
    a = np.asarray(area) < 128
    rows = a[round(area.height * 0.4) : round(area.height * 0.7)]
    dark = np.where(rows.mean(axis=0) > 0.5)[0]
    return float(dark[-1] - dark[0] + 1)


def y4m_views(path: Path, frames: list[np.ndarray], *, hold: int, fps: int) -> Path:
    """One Y4M (I420, grey) with each frame held for ``hold`` video frames, its number (1, 2, …) in its marker."""
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i, frame in enumerate(frames, start=1):
            marked = frame.copy()
            marker_paint(marked, i)
            data = b"FRAME\n" + marked.tobytes() + chroma + chroma
            for _ in range(hold):
                f.write(data)
    return path
