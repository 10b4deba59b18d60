"""The gates' own arithmetic, without a browser."""

from __future__ import annotations

import pytest

from tests.browser.gates import contrast, focus_is_visible

WHITE, BLACK, YELLOW, GREEN = ("rgb(255, 255, 255)", "rgb(11, 12, 12)", "rgb(255, 221, 0)",
                               "rgb(0, 112, 60)")


def _focused(**style) -> dict:
    return {"outlineStyle": "none", "outlineWidth": 0.0, "outlineColor": BLACK,
            "boxShadow": "none", "background": WHITE, "surrounding": WHITE, **style}


def test_contrast_ratios_follow_wcag():
    assert contrast(WHITE, "rgb(0, 0, 0)") == pytest.approx(21)
    assert contrast(WHITE, WHITE) == pytest.approx(1)
    assert contrast(YELLOW, WHITE) < 3 < contrast(YELLOW, GREEN)


@pytest.mark.parametrize(("focused", "unfocused", "visible"), [
    (_focused(outlineStyle="solid", outlineWidth=3.0, outlineColor=BLACK), {}, True),
    # Yellow on white hardly shows; on the dark green header it does.
    (_focused(outlineStyle="solid", outlineWidth=3.0, outlineColor=YELLOW), {}, False),
    (_focused(outlineStyle="solid", outlineWidth=3.0, outlineColor=YELLOW, surrounding=GREEN),
     {}, True),
    (_focused(outlineStyle="solid", outlineWidth=1.0, outlineColor=BLACK), {}, False),
    (_focused(outlineStyle="solid", outlineWidth=3.0, outlineColor="rgba(0, 0, 0, 0)"), {},
     False),
    (_focused(boxShadow="rgb(11, 12, 12) 0px 0px 0px 6px"), {}, True),
    # A shadow the element always has is no sign of focus; a new background is.
    (_focused(boxShadow="rgb(0, 45, 24) 0px 2px 0px 0px"),
     {"boxShadow": "rgb(0, 45, 24) 0px 2px 0px 0px"}, False),
    (_focused(background=YELLOW), {"background": GREEN}, True),
    (_focused(), {}, False),
])
def test_focus_shows_by_outline_ring_or_background(focused, unfocused, visible):
    unfocused = {"boxShadow": "none", "background": WHITE, **unfocused}
    assert focus_is_visible(focused, unfocused) is visible
