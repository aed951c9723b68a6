"""What a printed page must show, read back from the PDF with poppler (imported by the route
sheets' tests): its text (``pdftotext``), its fonts (``pdffonts``), its pages (``pdfinfo``) and
its pixels (``pdftoppm`` to PNG, read with Pillow)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "out" / "screenshots"


def pdf_text(pdf: Path) -> str:
    """The PDF's text, in reading order."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """``(font name, embedded)`` of every font of the PDF."""
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    fonts = []
    for line in out.stdout.splitlines()[2:]:
        cells = line.split()
        # name type... encoding emb sub uni object ID: "emb" is the fifth cell from the end
        fonts.append((cells[0], cells[-5] == "yes"))
    return fonts


def pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    """How many pages, and the first page's size in points."""
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    assert size is not None, out
    return pages, (float(size.group(1)), float(size.group(2)))


def page_png(pdf: Path, page: int, name: str, *, dpi: int = 100) -> Path:
    """Page ``page`` (from 1) as ``out/screenshots/NAME.png`` (kept as the run's artefact)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTEFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


def dark_share(png: Path, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> float:
    """The share of dark pixels (grey < 100) in ``box`` (left, top, right, bottom as shares of
    the page)."""
    with Image.open(png) as image:
        grey = image.convert("L")
        w, h = grey.size
        crop = grey.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
        counts = crop.histogram()
    return sum(counts[:100]) / max(sum(counts), 1)


JSQR = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"

_READ_QR = """
const jsQR = require(process.argv[1]);
const [width, height] = [Number(process.argv[2]), Number(process.argv[3])];
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const found = jsQR(new Uint8ClampedArray(Buffer.concat(chunks)), width, height);
  process.stdout.write(found ? found.data : "");
});
"""


def qr_text(png: Path) -> str:
    """What the QR code on ``png`` says, read by jsQR (the driver page's reader) under Node;
    empty when no code is found."""
    with Image.open(png) as image:
        rgba = image.convert("RGBA")
        width, height = rgba.size
        pixels = rgba.tobytes()
    out = subprocess.run(
        ["node", "-e", _READ_QR, str(JSQR), str(width), str(height)],
        input=pixels,
        check=True,
        capture_output=True,
    )
    return out.stdout.decode()
