"""Test helpers: a waybill number as Code 128 (code set C) bars, and a Y4M video of it for Chromium's fake camera."""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.barcode.code128 import _patterns

_WIDTH = {"A": 1, "B": 2, "C": 3, "D": 4, "a": 1, "b": 2, "c": 3, "d": 4}


def code128c_modules(digits: str) -> list[bool]:
    """Dark/light modules of an even-length digit string in code set C, with its checksum and stop."""
    assert digits.isdigit() and len(digits) % 2 == 0
    codes = [105] + [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    check = (codes[0] + sum(i * c for i, c in enumerate(codes) if i)) % 103
    modules = []
    for code in [*codes, check, 106]:
        for k, ch in enumerate(_patterns[code]):
            modules += [k % 2 == 0] * _WIDTH[ch]
    return modules


def gray_row(digits: str, *, module: int = 4, quiet: int = 12) -> list[int]:
    row = [255] * (quiet * module)
    for dark in code128c_modules(digits):
        row += [0 if dark else 255] * module
    return row + [255] * (quiet * module)


def y4m_write(path: Path, digits: str, *, width: int = 640, height: int = 480, frames: int = 20) -> Path:
    """A still Y4M video (I420) of the barcode, centred, black on white."""
    row = gray_row(digits)
    assert len(row) <= width, "barcode wider than the frame"
    left = (width - len(row)) // 2
    line = bytes([255] * left + row + [255] * (width - left - len(row)))
    blank = bytes([255] * width)
    top, bottom = height // 4, height * 3 // 4
    y_plane = b"".join(line if top <= y < bottom else blank for y in range(height))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + y_plane + chroma + chroma)
    return path
