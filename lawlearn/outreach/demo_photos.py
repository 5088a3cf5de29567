"""Demo photos drawn with Pillow: a street stall or a meeting room with the event's banner
(in a CJK font when one is installed), with EXIF capture time, as a phone would send them.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont

PHOTO_SIZE = (1280, 853)
FONT_FOLDER = Path("/usr/share/fonts")
FONT_PATTERNS = ("NotoSansCJK*Bold*", "NotoSansCJK*", "NotoSansSC*", "NotoSerifCJK*")


@lru_cache(maxsize=1)
def _font_source() -> tuple[str, int] | None:
    """A CJK font file and the index of its Simplified Chinese face, if one is installed."""
    if not FONT_FOLDER.is_dir():
        return None
    for pattern in FONT_PATTERNS:
        for path in sorted(FONT_FOLDER.rglob(pattern)):
            faces = 10 if path.suffix.lower() == ".ttc" else 1
            for index in range(faces):
                try:
                    family = ImageFont.truetype(str(path), 20, index=index).getname()[0] or ""
                except OSError:
                    break  # past the last face of a collection (or not a font at all)
                if faces == 1 or family.endswith(" SC"):
                    return str(path), index
    return None


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | None:
    source = _font_source()
    return ImageFont.truetype(source[0], size, index=source[1]) if source else None


def _fitted_font(text: str, width: int, size: int) -> ImageFont.FreeTypeFont | None:
    font = _font(size)
    while font is not None and size > 18 and font.getlength(text) > width:
        size -= 4
        font = _font(size)
    return font


def _centred_text(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str,
                  size: int, fill) -> None:
    left, top, right, bottom = box
    font = _fitted_font(text, right - left - 40, size)
    if font is None:
        return  # no CJK font installed: shapes only
    draw.text(((left + right) / 2, (top + bottom) / 2), text, font=font, fill=fill, anchor="mm")


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, rng: random.Random,
            *, from_behind: bool = False) -> None:
    """A figure whose feet (or, seated, shoulders) are at ``y``."""
    shirt = rng.choice([(52, 92, 160), (190, 60, 50), (70, 130, 90), (230, 190, 80),
                        (90, 90, 100), (240, 240, 235), (150, 100, 160), (40, 50, 70)])
    skin = rng.choice([(236, 200, 170), (222, 184, 150), (205, 165, 130)])
    hair = rng.choice([(25, 25, 25), (45, 35, 30), (70, 60, 55)])
    head = int(22 * scale)
    body_h = int(90 * scale)
    if not from_behind:
        draw.rectangle((x - int(10 * scale), y - int(60 * scale), x + int(10 * scale), y),
                       fill=(50, 55, 70))
    top = y - (0 if from_behind else int(60 * scale)) - body_h
    draw.rounded_rectangle((x - int(28 * scale), top, x + int(28 * scale), top + body_h),
                           radius=int(18 * scale), fill=shirt)
    cy = top - head + int(4 * scale)
    draw.ellipse((x - head, cy - head, x + head, cy + head), fill=hair if from_behind else skin)
    if not from_behind:
        draw.chord((x - head, cy - head, x + head, cy + head), 180, 360, fill=hair)


def _scene_outdoor(draw: ImageDraw.ImageDraw, banner: str, rng: random.Random, *,
                   boards: bool) -> None:
    width, height = PHOTO_SIZE
    for y in range(0, 520):
        shade = int(y / 520 * 50)
        draw.line((0, y, width, y), fill=(150 + shade // 2, 195 + shade // 3, 235))
    for index in range(7):  # buildings in the distance
        left = index * 190 + rng.randint(-30, 30)
        top = rng.randint(170, 320)
        grey = rng.randint(175, 215)
        draw.rectangle((left, top, left + 170, 520), fill=(grey, grey, grey + 8))
        for wy in range(top + 20, 500, 42):
            for wx in range(left + 18, left + 150, 38):
                draw.rectangle((wx, wy, wx + 20, wy + 24), fill=(grey - 40, grey - 30, grey - 10))
    draw.rectangle((0, 520, width, height), fill=(196, 190, 180))
    for x in range(0, width, 90):
        draw.line((x, 520, x - 140, height), fill=(182, 176, 166), width=2)
    if boards:
        for index in range(4):
            left = 90 + index * 290
            draw.rectangle((left + 20, 420, left + 30, 640), fill=(90, 90, 90))
            draw.rectangle((left + 200, 420, left + 210, 640), fill=(90, 90, 90))
            draw.rectangle((left, 250, left + 230, 460), fill=(24, 86, 160))
            draw.rectangle((left + 10, 300, left + 220, 450), fill=(250, 250, 246))
            for line in range(5):
                draw.rectangle((left + 24, 318 + line * 24, left + 196 - rng.randint(0, 70),
                                328 + line * 24), fill=(170, 170, 175))
        draw.rectangle((60, 140, width - 60, 220), fill=(196, 30, 36))
        _centred_text(draw, (60, 140, width - 60, 220), banner, 48, (255, 236, 160))
    else:
        draw.polygon([(300, 300), (980, 300), (1060, 390), (220, 390)], fill=(245, 245, 245))
        draw.rectangle((220, 390, 1060, 450), fill=(196, 30, 36))
        _centred_text(draw, (220, 390, 1060, 450), banner, 40, (255, 255, 255))
        for x in (235, 1045):
            draw.rectangle((x - 6, 450, x + 6, 640), fill=(150, 150, 150))
        draw.rectangle((330, 540, 950, 640), fill=(32, 92, 170))
        for x in range(360, 920, 70):
            draw.rectangle((x, 522, x + 48, 540), fill=(252, 252, 250))
    crowd = sorted((rng.randint(40, width - 40), rng.randint(610, 820)) for _ in range(16))
    for x, y in sorted(crowd, key=lambda point: point[1]):
        _person(draw, x, y, 0.75 + (y - 600) / 300, rng)


def _scene_indoor(draw: ImageDraw.ImageDraw, banner: str, rng: random.Random, *,
                  classroom: bool) -> None:
    width, height = PHOTO_SIZE
    draw.rectangle((0, 0, width, height), fill=(236, 228, 212) if classroom else (222, 214, 200))
    draw.rectangle((0, 560, width, height), fill=(150, 110, 80) if classroom else (120, 60, 50))
    draw.rectangle((0, 40, width, 130), fill=(190, 28, 34))
    _centred_text(draw, (0, 40, width, 130), banner, 50, (255, 236, 160))
    if classroom:
        draw.rectangle((240, 170, 1040, 450), fill=(40, 80, 60))
        _centred_text(draw, (240, 200, 1040, 300), "宪法是国家的根本法", 52, (245, 245, 240))
        _centred_text(draw, (240, 320, 1040, 400), "尊法 学法 守法 用法", 40, (230, 230, 200))
    else:
        draw.rectangle((300, 160, 980, 480), fill=(250, 250, 252))
        draw.rectangle((300, 160, 980, 200), fill=(196, 30, 36))
        _centred_text(draw, (300, 230, 980, 330), "中华人民共和国宪法", 56, (180, 20, 30))
        _centred_text(draw, (300, 350, 980, 430), "弘扬宪法精神  建设法治政府", 36, (60, 60, 70))
        _person(draw, 170, 560, 0.9, rng)  # the speaker, behind the lectern
        draw.rectangle((80, 440, 260, 560), fill=(140, 90, 60))
    for row in range(3):
        y = 650 + row * 95
        for seat in range(9):
            x = 90 + seat * 135 + (row % 2) * 40 + rng.randint(-10, 10)
            _person(draw, x, y + 60, 0.9 + row * 0.25, rng, from_behind=True)


def demo_photo(banner: str, scene: str, captured: datetime, rng: random.Random) -> bytes:
    """A JPEG drawn with simple shapes and the banner text (when a CJK font is installed),
    with EXIF DateTimeOriginal set to ``captured`` (a local time with its tzinfo)."""
    image = Image.new("RGB", PHOTO_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    if scene in ("meeting", "classroom"):
        _scene_indoor(draw, banner, rng, classroom=scene == "classroom")
    else:
        _scene_outdoor(draw, banner, rng, boards=scene == "boards")
    exif = Image.Exif()
    stamp = captured.strftime("%Y:%m:%d %H:%M:%S")
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Model] = "demo phone"
    exif[ExifTags.Base.DateTime] = stamp
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = stamp
    offset = captured.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    details[ExifTags.Base.OffsetTimeOriginal] = "{}{:02d}:{:02d}".format(
        "+" if minutes >= 0 else "-", abs(minutes) // 60, abs(minutes) % 60)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, exif=exif)
    return buffer.getvalue()


