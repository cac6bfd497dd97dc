"""Checks a page's screenshot: python scripts/check_screenshot.py PNG HTML MIN_IMAGES

Fails unless the screenshot holds more than a blank page (enough pixels
that are not the background: text and figures drawn), and unless every
image the page shows exists as a non-empty file (an image that did not
load is drawn as a small broken-image icon, which the first check might
not see), and unless the page shows at least MIN_IMAGES images (a figure
that a notebook cell printed as text instead of drawing is missing).
"""

import pathlib
import re
import sys

from matplotlib.image import imread


def main(png: str, html: str, min_images: str = "0") -> int:
    pixels = imread(png)[..., :3]
    background = pixels[0, 0]
    ink = float(((abs(pixels - background)).sum(axis=2) > 0.1).mean())
    page = pathlib.Path(html)
    sources = re.findall(r'<img[^>]+src="([^"]+)"', page.read_text())
    missing = [s for s in sources if not s.startswith(("http:", "https:", "data:"))
               and not ((page.parent / s).is_file() and (page.parent / s).stat().st_size > 0)]
    print(f"{png}: {pixels.shape[1]}x{pixels.shape[0]}, {ink:.1%} of it drawn, {len(sources)} images"
          + (f", missing: {missing}" if missing else ""))
    if ink < 0.02:
        print(f"{png} is blank", file=sys.stderr)
        return 1
    if len(sources) < int(min_images):
        print(f"{html} shows {len(sources)} images, fewer than {min_images}", file=sys.stderr)
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
