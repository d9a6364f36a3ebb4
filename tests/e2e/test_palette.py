"""The viewer's palette (web/src/shared/palette.json, the one home of kinds, colours, shapes and
status styles): every pair of kinds in the legend is told apart by colour (CIEDE2000) and by
shape, and status never depends on colour alone. No browser needed."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from tests.conftest import REPO_ROOT as PROJECT_ROOT

PALETTE = json.loads((PROJECT_ROOT / "web" / "src" / "shared" / "palette.json").read_text())
MIN_DELTA_E = 12.0
"""CIEDE2000 distance every pair of kinds keeps (about 2 is "just noticeable"; the old palette
had customer-facing service, package and solution within 5 of each other)."""


def _lab(colour: str) -> tuple[float, float, float]:
    """sRGB hex -> CIE L*a*b* (D65)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = linear(r), linear(g), linear(b)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _hue_mean_and_delta(h1: float, h2: float, c_zero: bool) -> tuple[float, float]:
    if c_zero:
        return h1 + h2, 0.0
    diff = h2 - h1
    delta = diff if abs(diff) <= 180 else diff - 360 if diff > 180 else diff + 360
    total = h1 + h2
    mean = (
        total / 2 if abs(diff) <= 180 else (total + 360) / 2 if total < 360 else (total - 360) / 2
    )
    return mean, delta


def delta_e_2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 (Sharma, Wu, Dalal 2005)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    h_bar, dh = _hue_mean_and_delta(h1p, h2p, c1p * c2p == 0)
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_c = 2 * math.sqrt(c_bar_p**7 / (c_bar_p**7 + 25**7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2)))) * r_c
    return math.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # pairs 1, 7 and 17 of Sharma et al.'s published test data
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected) -> None:
    assert delta_e_2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_every_pair_of_kinds_differs_in_colour_and_shape() -> None:
    kinds = PALETTE["kinds"]
    assert len(kinds) >= 6
    close = [
        (a["id"], b["id"], round(delta_e_2000(_lab(a["colour"]), _lab(b["colour"])), 1))
        for a, b in itertools.combinations(kinds, 2)
        if delta_e_2000(_lab(a["colour"]), _lab(b["colour"])) < MIN_DELTA_E
    ]
    assert not close, f"kinds too close in colour (CIEDE2000 < {MIN_DELTA_E}): {close}"
    shapes = [k["shape"] for k in kinds]
    assert len(set(shapes)) == len(shapes), "two kinds share a shape"


def test_the_issue_kinds_are_apart_and_every_class_has_one_kind() -> None:
    by_class: dict[str, str] = {}
    for kind in PALETTE["kinds"]:
        for cls in kind["classes"]:
            assert cls not in by_class, f"{cls} is in kinds {by_class[cls]} and {kind['id']}"
            by_class[cls] = kind["id"]
    # the near-identical trios the issue names now fall into different kinds
    assert by_class["CustomerFacingService"] != by_class["BackendService"]
    assert by_class["JourneyStep"] != by_class["Touchpoint"]
    assert by_class["ServiceLevelAgreement"] != by_class["Team"]


def test_status_survives_greyscale() -> None:
    """Each status has its own border style and icon (colour is only a third cue)."""
    status = PALETTE["status"]
    assert {s["id"] for s in status} == {"failed", "down", "degraded", "visible"}
    for key in ("border", "icon"):
        values = [s[key] for s in status]
        assert len(set(values)) == len(values), f"two statuses share a {key}"
    assert PALETTE["labelPx"] * 1.0 >= PALETTE["minLabelPx"] >= 10
