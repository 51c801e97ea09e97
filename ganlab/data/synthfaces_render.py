"""Procedural cartoon faces, the CelebA stand-in: `render(attributes, identity)` draws a
batch of faces with signed-distance shapes on a pixel grid, all images at once.

Deterministic: the same (attributes, identity) always gives the same image, so changing
one attribute while keeping the identity gives the ground-truth counterfactual of an edit.
Shapes are laid out in face-local coordinates (x right, y down, canvas = [-1, 1]^2) that
the head's offset and tilt map onto the canvas; edges are antialiased by coverage."""

from __future__ import annotations

import math

import torch

ATTRIBUTES = ("Male", "Smiling", "Mouth_Slightly_Open", "Young", "Black_Hair", "Blond_Hair", "Bangs",
              "Heavy_Makeup", "No_Beard", "Eyeglasses", "Pale_Skin", "Wearing_Hat")
# Each in [0, 1]; an edit must keep them.
IDENTITY_FACTORS = ("face_width", "face_height", "eye_spacing", "eye_size", "nose_length", "skin_tone",
                    "hair_volume", "hairline", "offset_x", "offset_y", "tilt", "background_hue",
                    "background_value", "hair_shade", "hat_hue", "shirt_hue")

CHUNK_PIXELS = 2**18  # pixels drawn per pass: small enough to stay in cache (~6x faster than 8M)


def _a(attributes: torch.Tensor, name: str) -> torch.Tensor:
    return attributes[:, ATTRIBUTES.index(name)].view(-1, 1, 1)


def _f(identity: torch.Tensor, name: str) -> torch.Tensor:
    return identity[:, IDENTITY_FACTORS.index(name)].view(-1, 1, 1)


def _lerp(lo: float, hi: float, u: torch.Tensor) -> torch.Tensor:
    return lo + (hi - lo) * u


def _rgb(values, n: int) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32).view(1, 3, 1, 1).expand(n, 3, 1, 1)


def _hsv(h: torch.Tensor, s: float, v: torch.Tensor | float) -> torch.Tensor:
    """Hue, value [N, 1, 1] in [0, 1] -> RGB [N, 3, 1, 1]."""
    k = (torch.tensor([5.0, 3.0, 1.0]) + h.view(-1, 1) * 6) % 6
    v = torch.as_tensor(v).reshape(-1, 1)
    return (v * (1 - s * torch.clamp(torch.minimum(k, 4 - k), 0, 1))).view(-1, 3, 1, 1)


class Canvas:
    """A batch of images being painted; `paint(alpha, color)` composites one layer."""

    def __init__(self, n: int, size: int, background: torch.Tensor):
        self.pixel = 2.0 / size
        c = (torch.arange(size, dtype=torch.float32) + 0.5) * self.pixel - 1
        self.gy, self.gx = c.view(1, size, 1), c.view(1, 1, size)
        self.image = background.expand(n, 3, size, size).clone()
        self.x = self.y = None

    def place(self, cx: torch.Tensor, cy: torch.Tensor, angle: torch.Tensor) -> None:
        """Face-local coordinates: translate to the head centre, rotate by -angle."""
        dx, dy = self.gx - cx, self.gy - cy
        cos, sin = torch.cos(angle), torch.sin(angle)
        self.x, self.y = cos * dx + sin * dy, -sin * dx + cos * dy

    def cover(self, distance: torch.Tensor) -> torch.Tensor:
        """Signed distance (negative inside) -> antialiased coverage in [0, 1]."""
        return torch.clamp(0.5 - distance / self.pixel, 0, 1)

    def paint(self, alpha: torch.Tensor, color: torch.Tensor) -> None:
        alpha = alpha.unsqueeze(1)
        self.image = self.image + alpha * (color - self.image)


def _ellipse(x, y, cx, cy, rx, ry):
    """Approximate signed distance to an axis-aligned ellipse."""
    scale = torch.minimum(torch.as_tensor(rx), torch.as_tensor(ry))
    return (torch.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2) - 1) * scale


def _segment(x, y, x0, y0, x1, y1, half_width):
    """Signed distance to a capsule around the segment (x0, y0)-(x1, y1)."""
    vx, vy = x1 - x0, y1 - y0
    t = torch.clamp(((x - x0) * vx + (y - y0) * vy) / (vx * vx + vy * vy + 1e-9), 0, 1)
    return torch.sqrt((x - x0 - t * vx) ** 2 + (y - y0 - t * vy) ** 2) - half_width


def _inside(a, b):
    return torch.maximum(a, b)  # intersection of two signed-distance shapes


def _union(a, b):
    return torch.minimum(a, b)


def render(attributes: torch.Tensor, identity: torch.Tensor, image_size: int = 32) -> torch.Tensor:
    """attributes [N, 12] (0/1, order ATTRIBUTES), identity [N, 16] in [0, 1] (order
    IDENTITY_FACTORS) -> images [N, 3, S, S] in [0, 1]."""
    if attributes.shape[1] != len(ATTRIBUTES) or identity.shape[1] != len(IDENTITY_FACTORS):
        raise ValueError(f"render needs attributes [N, {len(ATTRIBUTES)}] and identity [N, {len(IDENTITY_FACTORS)}], "
                         f"got {tuple(attributes.shape)} and {tuple(identity.shape)}")
    attributes, identity = attributes.float().cpu(), identity.float().cpu().clamp(0, 1)
    chunk = max(1, CHUNK_PIXELS // image_size**2)
    parts = [_render_chunk(attributes[i : i + chunk], identity[i : i + chunk], image_size)
             for i in range(0, len(attributes), chunk)]
    return torch.cat(parts) if parts else torch.zeros(0, 3, image_size, image_size)


def _render_chunk(attributes: torch.Tensor, identity: torch.Tensor, size: int) -> torch.Tensor:
    n = len(attributes)
    A, F_ = (lambda k: _a(attributes, k)), (lambda k: _f(identity, k))
    male, smiling, mouth_open, young = A("Male"), A("Smiling"), A("Mouth_Slightly_Open"), A("Young")
    black, blond, bangs, makeup = A("Black_Hair"), A("Blond_Hair"), A("Bangs"), A("Heavy_Makeup")
    beard, glasses, pale, hat = 1 - A("No_Beard"), A("Eyeglasses"), A("Pale_Skin"), A("Wearing_Hat")

    # Geometry (face-local units; the canvas is 2 wide). Male: wider face, squarer jaw.
    a = _lerp(0.40, 0.48, F_("face_width")) * (1 + 0.07 * male)
    b = _lerp(0.54, 0.64, F_("face_height"))
    ex, er = _lerp(0.16, 0.22, F_("eye_spacing")), _lerp(0.055, 0.08, F_("eye_size"))
    eye_y = torch.full_like(a, -0.04)
    brow_y = eye_y - er - 0.06
    nose_end = eye_y + _lerp(0.12, 0.22, F_("nose_length"))
    mouth_y = 0.50 * b
    hair_vol = _lerp(0.05, 0.14, F_("hair_volume"))
    hairline = -b * _lerp(0.62, 0.78, F_("hairline"))

    # Colours.
    tone = F_("skin_tone").unsqueeze(1)
    skin_normal = _rgb((0.92, 0.74, 0.60), n) + tone * (_rgb((0.55, 0.36, 0.24), n) - _rgb((0.92, 0.74, 0.60), n))
    skin_pale = _rgb((1.0, 0.97, 0.95), n) + tone * (_rgb((0.97, 0.92, 0.90), n) - _rgb((1.0, 0.97, 0.95), n))
    skin = skin_normal + pale.unsqueeze(1) * (skin_pale - skin_normal)
    brown = _rgb((0.50, 0.30, 0.14), n)
    hair = brown + black.unsqueeze(1) * (_rgb((0.09, 0.07, 0.06), n) - brown)
    hair = hair + blond.unsqueeze(1) * (_rgb((0.96, 0.83, 0.40), n) - hair)
    hair = (hair * _lerp(0.88, 1.08, F_("hair_shade")).unsqueeze(1)).clamp(0, 1)
    hair = hair + (1 - young).unsqueeze(1) * 0.6 * (_rgb((0.74, 0.74, 0.74), n) - hair)  # greying
    background = _hsv(F_("background_hue"), 0.35, _lerp(0.35, 0.85, F_("background_value")))
    lip = skin * _rgb((0.75, 0.45, 0.45), n)
    lip = lip + makeup.unsqueeze(1) * (_rgb((0.85, 0.06, 0.18), n) - lip)

    canvas = Canvas(n, size, background)
    angle = _lerp(-12.0, 12.0, F_("tilt")) * math.pi / 180
    canvas.place(_lerp(-0.08, 0.08, F_("offset_x")), 0.04 + _lerp(-0.06, 0.06, F_("offset_y")), angle)
    x, y, cover = canvas.x, canvas.y, canvas.cover

    # Hair behind the head: short (to the temples) or long (down past the chin).
    hair_back = _ellipse(x, y, 0, -0.05, a + hair_vol, b + hair_vol)
    short = _inside(hair_back, y + 0.12 * b)
    long = _union(hair_back, _inside(x.abs() - (a + hair_vol * 0.9), y - (b + 0.40)))
    long = _inside(long, -y - 0.8)  # no hair band above the crown
    canvas.paint(cover(short) * male + cover(long) * (1 - male), hair)

    # Shoulders, neck, face.
    canvas.paint(cover(_ellipse(x, y, 0, b + 0.72, 0.95, 0.45)), _hsv(F_("shirt_hue"), 0.5, 0.5))
    canvas.paint(cover(_inside(x.abs() - 0.42 * a, 0.45 * b - y)), skin * 0.85)
    p = 2 + 1.4 * male * (y > 0)  # superellipse exponent: round (2) or square jaw (3.4) below the eyes
    level = ((x / a).abs() ** p + (y / b).abs() ** p) ** (1 / p)
    face = (level - 1) * torch.minimum(a, b)
    canvas.paint(cover(face), skin)

    # Hair over the forehead down to the hairline, or a fringe (Bangs) down to the brows.
    canvas.paint(cover(_inside(face - 0.01, y - hairline)), hair)
    fringe_edge = brow_y - 0.035 + 0.02 * torch.sin(x * 45)
    canvas.paint(cover(_inside(face - 0.015, y - fringe_edge)) * bangs, hair)

    # Age: lines from the nose to the mouth corners and under the eyes.
    line = skin * 0.55
    mw = (0.13 + 0.08 * smiling) * a / 0.44
    for side in (-1, 1):
        wrinkle = _segment(x, y, side * 0.09, nose_end - 0.02, side * (mw + 0.05), mouth_y + 0.03, 0.016)
        bag = _segment(x, y, side * ex - er, eye_y + er + 0.04, side * ex + er, eye_y + er + 0.04, 0.014)
        canvas.paint(cover(_union(wrinkle, bag)) * (1 - young), line)

    # Make-up: blush, eyeshadow (lips get its colour below).
    for side in (-1, 1):
        canvas.paint(cover(_ellipse(x, y, side * (ex + 0.05), eye_y + 0.17, 0.08, 0.06)) * makeup * 0.6,
                     _rgb((0.95, 0.35, 0.45), n))
        canvas.paint(cover(_ellipse(x, y, side * ex, eye_y - er * 0.9, er * 1.6, 0.055)) * makeup * 0.85,
                     _rgb((0.45, 0.18, 0.62), n))

    # Beard: jaw and chin below the nose, plus a moustache.
    jaw = _inside(face, mouth_y - 0.12 - 0.25 * x.abs() - y)
    # Above the smile's raised corners, so a beard never hides whether the mouth smiles.
    moustache_w = 0.15 * a / 0.44
    moustache = _segment(x, y, -moustache_w, mouth_y - 0.095, moustache_w, mouth_y - 0.095, 0.025)
    canvas.paint(cover(_union(jaw, moustache)) * beard, hair * 0.75)

    # Eyes, brows, nose.
    for side in (-1, 1):
        canvas.paint(cover(_ellipse(x, y, side * ex, eye_y, er * 1.45, er)), _rgb((0.97, 0.97, 0.97), n))
        canvas.paint(cover(_ellipse(x, y, side * ex, eye_y, er * 0.7, er * 0.7)), _rgb((0.12, 0.08, 0.06), n))
        brow = _segment(x, y, side * ex - er * 1.6, brow_y, side * ex + er * 1.6, brow_y, 0.018 + 0.012 * male)
        canvas.paint(cover(brow), hair * 0.7)
    canvas.paint(cover(_segment(x, y, 0, eye_y + 0.06, 0, nose_end, 0.02)), skin * 0.72)

    # Mouth: a line (curved up at the corners, teeth showing, when smiling) or an open cavity.
    curve = 0.10 * smiling
    centre = mouth_y + curve * 0.5 - curve * (x / mw) ** 2
    across = x.abs() - mw
    closed = _inside(across, (y - centre).abs() - 0.022 - 0.008 * makeup)
    depth = 0.035 + 0.075 * (1 - (x / mw).clamp(-1, 1) ** 2)
    cavity_smile = _inside(across * 1.1, _inside(centre - 0.015 - y, y - centre - depth))
    cavity_plain = _ellipse(x, y, 0, mouth_y, mw * 0.65, 0.075)
    cavity = cavity_smile * smiling + cavity_plain * (1 - smiling)
    canvas.paint(cover(closed) * (1 - mouth_open), lip)
    grin = _inside(across + 0.04, (y - centre).abs() - 0.011)
    canvas.paint(cover(grin) * (1 - mouth_open) * smiling, _rgb((0.96, 0.96, 0.92), n))
    canvas.paint(cover(cavity - 0.022) * mouth_open, lip)
    canvas.paint(cover(cavity) * mouth_open, _rgb((0.22, 0.03, 0.06), n))
    teeth = _inside(cavity, y - (centre - 0.015 + 0.035))
    canvas.paint(cover(teeth) * mouth_open * smiling, _rgb((0.96, 0.96, 0.92), n))

    # Eyeglasses: two rims, a bridge and the temples.
    rim_r = torch.maximum(er * 1.9, torch.full_like(er, 0.12))
    frame = None
    for side in (-1, 1):
        ring = (torch.sqrt((x - side * ex) ** 2 + (y - eye_y) ** 2) - rim_r).abs() - 0.022
        temple = _segment(x, y, side * (ex + rim_r), eye_y, side * a, eye_y - 0.03, 0.018)
        part = _union(ring, temple)
        frame = part if frame is None else _union(frame, part)
    frame = _union(frame, _segment(x, y, -(ex - rim_r), eye_y, ex - rim_r, eye_y, 0.018))
    canvas.paint(cover(frame) * glasses, _rgb((0.06, 0.06, 0.09), n))

    # Hat: a crown over the hair above the hairline, and a brim.
    hat_color = _hsv(F_("hat_hue"), 0.8, 0.8)
    crown = _inside(_ellipse(x, y, 0, -0.05, a + hair_vol + 0.05, b + hair_vol + 0.04), y - (hairline + 0.01))
    brim = _inside(x.abs() - (a + hair_vol + 0.14), (y - (hairline - 0.01)).abs() - 0.045)
    canvas.paint(cover(crown) * hat, hat_color)
    canvas.paint(cover(brim) * hat, hat_color * 0.6)
    return canvas.image.clamp(0, 1)
