"""The impact map as a person reads it, at 1400 and 800 px: layers top to bottom, readable and
non-overlapping labels after a fit, clusters that unfold, a legend outside the drawing that
folds, and panels that never cover each other. Screenshots go to ``test-artifacts/ui/``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = pytest.mark.browser

MAIL_SERVER = "https://w3id.org/svckg/id/mail-server"
WIDTHS = [1400, 800]

_LABEL_BOXES = """() => {
  const cy = window.svckgViewer.cy;
  const zoom = cy.zoom();
  return cy.nodes().filter(n => n.visible() && !n.hasClass('anchor')).map(n => {
    const b = n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
    return {id: n.id(), label: n.data('label'), layer: n.data('layerOrder'),
            y: n.position('y'), cluster: n.hasClass('cluster'),
            px: parseFloat(n.style('font-size')) * zoom,
            box: [b.x1, b.y1, b.x2, b.y2]};
  });
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _overlapping(nodes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["label"], b["label"])
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
        if _overlap(a["box"], b["box"])
    ]


def _box(page, selector: str) -> dict | None:
    loc = page.locator(selector)
    if loc.count() == 0 or not loc.first.is_visible():
        return None
    return loc.first.bounding_box()


def _boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def _run_mail_server_impact(page, ui_server: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{ui_server}/#n={MAIL_SERVER}&f={MAIL_SERVER}&impact=1")
    page.wait_for_selector("#impacted-list li", state="attached")
    if width < 1000:
        page.get_by_role("tab", name="Graph").click()
    page.wait_for_function("() => window.svckgViewer.cy.nodes(':visible').length > 1")


@pytest.mark.parametrize("width", WIDTHS)
def test_impact_map_is_layered_readable_and_unclipped(
    page, ui_server: str, shot: Callable, width: int
) -> None:
    """After the impact run and a fit: experience above services above backend ...; every label
    at 10 px or more; no two element labels overlap; the legend lies outside the drawing."""
    _run_mail_server_impact(page, ui_server, width)
    page.get_by_role("button", name="Fit").click()
    nodes = page.evaluate(_LABEL_BOXES)
    assert len(nodes) >= 3
    small = [(n["label"], round(n["px"], 1)) for n in nodes if n["px"] < 10]
    assert not small, f"labels render below 10 px: {small}"
    overlapping = _overlapping(nodes)
    assert not overlapping, f"labels overlap: {overlapping}"
    # layer bands: every element of a lower layer order lies above every one of a higher order
    by_layer: dict[int, list[float]] = {}
    for n in nodes:
        by_layer.setdefault(n["layer"], []).append(n["y"])
    orders = sorted(by_layer)
    for upper, lower in zip(orders, orders[1:], strict=False):
        assert max(by_layer[upper]) < min(by_layer[lower]), (upper, lower, by_layer)
    graph, legend = _box(page, "#graph"), _box(page, "#legend")
    assert graph and legend and not _boxes_overlap(graph, legend)
    # what the test measured is what the screenshot shows
    shot(page, f"20-impact-map-{width}")
    # the legend folds and unfolds
    page.locator("#legend summary").click()
    assert page.evaluate("() => document.getElementById('legend').open") is False
    assert not page.locator("#legend .legend-kinds").is_visible()
    page.locator("#legend summary").click()
    assert page.locator("#legend .legend-kinds li").count() >= 2


def test_a_crowded_layer_folds_into_a_cluster_that_unfolds(page, ui_server: str, shot) -> None:
    """Impact of the mail server reaches many journey elements: on a small graph area they fold
    into one "N ..." node with the worst member status; clicking it brings them back."""
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(f"{ui_server}/#n={MAIL_SERVER}&f={MAIL_SERVER}&impact=1")
    page.wait_for_selector("#impacted-list li", state="attached")
    page.get_by_role("tab", name="Graph").click()
    page.get_by_role("button", name="Layout").click()
    clusters = page.evaluate(
        "() => window.svckgViewer.cy.nodes('.cluster').map(c => ({id: c.id(),"
        " label: c.data('label'), members: c.data('members'), classes: c.classes()}))"
    )
    assert clusters, "nothing was folded on a 800x600 view of the mail-server impact"
    first = clusters[0]
    count = int(first["label"].split()[0])
    assert count == len(first["members"]) >= 3
    statuses = page.evaluate(
        "ids => ids.map(i => window.svckgViewer.cy.getElementById(i).classes())", first["members"]
    )
    if any("down" in s for s in statuses):
        assert "down" in first["classes"]
    shot(page, "21-impact-clustered-800x600")
    pos = page.evaluate(
        "id => { const n = window.svckgViewer.cy.getElementById(id);"
        " const p = n.renderedPosition();"
        " const b = document.getElementById('graph').getBoundingClientRect();"
        " return {x: b.left + p.x, y: b.top + p.y}; }",
        first["id"],
    )
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(
        "id => window.svckgViewer.cy.getElementById(id).empty()", arg=first["id"]
    )
    visible = page.evaluate(
        "ids => ids.filter(i => window.svckgViewer.cy.getElementById(i).visible()).length",
        first["members"],
    )
    assert visible == count
    after = page.evaluate(_LABEL_BOXES)
    assert all(n["px"] >= 10 for n in after)
    assert not _overlapping(after), "labels overlap after unfolding"
    shot(page, "22-impact-cluster-unfolded-800x600")


@pytest.mark.parametrize("width", WIDTHS)
def test_toolbar_heading_graph_and_legend_never_overlap(
    page, ui_server: str, shot: Callable, width: int
) -> None:
    """Bounding boxes of the navigation, the toolbar, the heading, the graph and the legend are
    pairwise disjoint and inside the window; at 800 px the graph takes the full width."""
    _run_mail_server_impact(page, ui_server, width)
    boxes = {
        name: _box(page, sel)
        for name, sel in {
            "nav": "header.site",
            "toolbar": "#toolbar",
            "heading": "#graph-heading",
            "graph": "#graph",
            "legend": "#legend",
            "tabs": "#panel-tabs",
            "find": "#find-panel",
            "details": "#details",
        }.items()
    }
    shown = {k: v for k, v in boxes.items() if v}
    for must in ("nav", "toolbar", "heading", "graph", "legend"):
        assert must in shown, f"{must} is not visible at {width} px"
    for name, box in shown.items():
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, box)
    pairs = [
        (a, b)
        for a in shown
        for b in shown
        if a < b and {a, b} != {"toolbar", "heading"} and _boxes_overlap(shown[a], shown[b])
    ]
    assert not pairs, f"overlapping at {width} px: {pairs}"
    # the heading sits inside the toolbar row, not under it
    assert _boxes_overlap(shown["toolbar"], shown["heading"])
    if width < 1000:
        assert "tabs" in shown and "find" not in shown and "details" not in shown
        assert shown["graph"]["width"] >= width - 40
        page.get_by_role("tab", name="Find and impact").click()
        assert page.locator("#find-panel").is_visible()
        assert not page.locator("#graph").is_visible()
        shot(page, f"23-panels-as-tabs-{width}")
        page.get_by_role("tab", name="Find and impact").press("ArrowRight")
        assert page.locator("#graph").is_visible()
    else:
        assert "tabs" not in shown and "find" in shown and "details" in shown
    shot(page, f"24-layout-boxes-{width}")
