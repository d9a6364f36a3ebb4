// Cytoscape set-up shared by the viewer and the resource-page neighbourhood: kinds (colour and
// shape, from palette.json), status drawn to survive greyscale (border style + icon), and a
// layered dagre layout by the ontology's layer order with clustering so that labels stay
// readable after a fit.
import cytoscape from "cytoscape";
import dagre from "cytoscape-dagre";
import PALETTE from "./palette.json";

cytoscape.use(dagre);

export { PALETTE };
export const KINDS = PALETTE.kinds;
const KIND_BY_CLASS = new Map(KINDS.flatMap((k) => k.classes.map((c) => [c, k])));
const OTHER = KINDS.find((k) => k.id === "other");
const STATUS = Object.fromEntries(PALETTE.status.map((s) => [s.id, s]));
/** Zoom under which a label would render below PALETTE.minLabelPx: never fit below it. */
export const MIN_READABLE_ZOOM = PALETTE.minLabelPx / PALETTE.labelPx;
const MIN_CLUSTER = 3; // a group of fewer elements is never folded into one node

export function localName(iri) {
  const m = /[#/:]([^#/:]+)$/.exec(iri);
  return m ? m[1] : iri;
}

/** The class that names an element's kind: the first type the palette knows. */
export function mainClass(types) {
  for (const t of types || []) if (KIND_BY_CLASS.has(localName(t.iri))) return t;
  return (types || [])[0] || null;
}

export function kindOf(cls) {
  return (cls && KIND_BY_CLASS.get(localName(cls.iri))) || OTHER;
}

/** Cytoscape node data for an element summary {iri, label, types, layer}. */
export function nodeData(summary) {
  const cls = mainClass(summary.types);
  const kind = kindOf(cls);
  return {
    id: summary.iri,
    label: summary.label,
    className: cls ? cls.label : "",
    classIri: cls ? cls.iri : "",
    kind: kind.id,
    colour: kind.colour,
    shape: kind.shape,
    layerOrder: summary.layer ? summary.layer.order : 7,
    layerLabel: summary.layer ? summary.layer.label : "no layer",
  };
}

export function edgeData(edge) {
  return {
    id: `${edge.source}|${edge.predicate}|${edge.target}`,
    source: edge.source,
    target: edge.target,
    predicate: edge.predicate,
    label: edge.predicateLabel,
  };
}

/** The label with status icons in front (✕ failed, ▼ down, ◆ degraded, ★ customer-visible). */
export function statusLabel(ele) {
  const icons = ["failed", "down", "degraded", "visible"]
    .filter((s) => ele.hasClass(s)).map((s) => STATUS[s].icon).join("");
  return icons ? `${icons} ${ele.data("label")}` : ele.data("label");
}

const statusStyle = (id) => ({
  "border-style": STATUS[id].border, "border-width": STATUS[id].width,
  "border-color": STATUS[id].colour,
});

export const STYLE = [
  { selector: "node", style: { label: statusLabel,
    color: "#1b1f24", "font-size": PALETTE.labelPx, "min-zoomed-font-size": PALETTE.minLabelPx,
    "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": 130,
    width: 28, height: 24, "border-width": 1.5, "border-color": "#1b1f24",
    "text-background-color": "#ffffff", "text-background-opacity": 0.85,
    "text-background-padding": 1,
  } },
  { selector: "node[colour]", style: { "background-color": "data(colour)", shape: "data(shape)" } },
  { selector: "node.cluster", style: { width: 40, height: 30, "font-weight": "bold",
    "border-width": 3, "border-style": "double" } },
  { selector: "node:selected", style: { "outline-width": 4, "outline-color": "#ffbf47",
    "outline-offset": 2 } },
  { selector: "edge", style: {
    width: 1.5, "line-color": "#8a96a3", "target-arrow-color": "#8a96a3",
    "target-arrow-shape": "triangle", "curve-style": "bezier", label: "",
    "font-size": 11, "min-zoomed-font-size": PALETTE.minLabelPx, color: "#3b4350",
    "text-rotation": "autorotate", "text-background-color": "#fbfcfd",
    "text-background-opacity": 0.9,
  } },
  // relation names only on the selected element's links and on a hovered path: a label on
  // every edge of a dense map overlaps the element labels
  { selector: "edge.named", style: { label: "data(label)" } },
  { selector: "edge.meta", style: { "line-style": "dashed", label: "data(label)" } },
  { selector: "node.down", style: statusStyle("down") },
  { selector: "node.degraded", style: statusStyle("degraded") },
  { selector: "node.failed", style: statusStyle("failed") },
  { selector: "node.dimmed, edge.dimmed", style: { opacity: 0.25 } },
  { selector: "edge.path", style: { width: 4, "line-color": "#b3261e",
    "target-arrow-color": "#b3261e", "z-index": 10, label: "data(label)" } },
  { selector: "node.focus", style: { width: 36, height: 32, "font-weight": "bold" } },
  { selector: "node.clustered", style: { display: "none" } },
  { selector: "node.anchor", style: { width: 1, height: 1, opacity: 0, label: "" } },
];

export function createGraph(container) {
  return cytoscape({
    container, style: STYLE, minZoom: 0.15, maxZoom: 3,
    boxSelectionEnabled: false,
  });
}

/** The elements a layout places and a fit frames: visible elements, no layout helpers. */
export function drawn(cy) {
  return cy.elements().not(".clustered, .anchor").filter((e) => e.isNode()
    || (!e.source().hasClass("clustered") && !e.target().hasClass("clustered")));
}

// --------------------------------------------------------------------------------- clusters

function clusterId(layerOrder, kind) {
  return `cluster:${layerOrder}:${kind}`;
}

/** Re-draw the links of folded elements as one dashed link per cluster pair and direction. */
function rebuildMetaEdges(cy) {
  cy.edges(".meta").remove();
  const rep = (n) => (n.hasClass("clustered") ? n.data("clusterOf") : n.id());
  const seen = new Map();
  cy.edges().not(".meta").forEach((e) => {
    if (!e.source().hasClass("clustered") && !e.target().hasClass("clustered")) return;
    const s = rep(e.source());
    const t = rep(e.target());
    if (s === t) return;
    const key = `${s}->${t}`;
    seen.set(key, (seen.get(key) || 0) + 1);
  });
  cy.add([...seen.entries()].map(([key, count]) => {
    const [source, target] = key.split("->");
    return { group: "edges", classes: "meta",
      data: { id: `meta|${key}`, source, target, label: count > 1 ? `${count} links` : "" } };
  }));
}

/** Give each cluster the status of its members (worst first) and its "N kinds" label. */
export function updateClusters(cy) {
  cy.nodes(".cluster").forEach((c) => {
    const members = cy.nodes(".clustered").filter((n) => n.data("clusterOf") === c.id());
    if (members.empty()) { c.remove(); return; }
    const kind = KINDS.find((k) => k.id === c.data("kind")) || OTHER;
    c.data("label", `${members.length} ${kind.plural}`);
    c.data("members", members.map((n) => n.id()));
    c.removeClass("down degraded visible");
    if (members.some((n) => n.hasClass("down"))) c.addClass("down");
    else if (members.some((n) => n.hasClass("degraded"))) c.addClass("degraded");
    if (members.some((n) => n.hasClass("visible"))) c.addClass("visible");
  });
}

/** Fold the largest group (same layer and kind, >= MIN_CLUSTER elements) into one node. */
function clusterLargestGroup(cy) {
  const groups = new Map();
  cy.nodes().not(".cluster, .clustered, .anchor, .unclustered, .failed, :selected")
    .forEach((n) => {
      const key = clusterId(n.data("layerOrder"), n.data("kind"));
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(n);
    });
  const [key, nodes] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0] || [];
  const existing = key ? cy.getElementById(key) : null;
  if (!nodes || nodes.length + (existing.nonempty() ? 1 : 0) < MIN_CLUSTER) return false;
  if (existing.empty()) {
    const first = nodes[0];
    const kind = KINDS.find((k) => k.id === first.data("kind")) || OTHER;
    cy.add({ group: "nodes", classes: "cluster", data: {
      id: key, cluster: true, label: "", kind: kind.id, colour: kind.colour, shape: kind.shape,
      className: kind.plural, layerOrder: first.data("layerOrder"),
      layerLabel: first.data("layerLabel"),
    } });
  }
  for (const n of nodes) n.data("clusterOf", key).addClass("clustered");
  return true;
}

/** Unfold a cluster: its members come back and are never folded again in this view. */
export function expandCluster(cy, cluster) {
  const members = cy.nodes(".clustered").filter((n) => n.data("clusterOf") === cluster.id());
  members.removeClass("clustered").addClass("unclustered");
  cluster.remove();
  // labels of elements that were not displayed have no measured size yet: measure them now,
  // or dagre would place them as if they had no label
  members.updateStyle();
  members.boundingBox({ includeLabels: true, useCache: false });
  return members;
}

// --------------------------------------------------------------------------------- layout

/** One dagre run over the drawn elements. Layer bands are enforced with invisible anchors:
 * anchor(i) -> every element of layer i -> anchor(i+1) (each of length 1: dagre fails on 0), so the
 * experience layer is always above the service layer ... and the resources at the bottom.
 * Links that run upwards (to a lower layer order) are drawn but left out of the ranking. */
function runDagre(cy) {
  rebuildMetaEdges(cy);
  const nodes = drawn(cy).nodes();
  const orders = [...new Set(nodes.map((n) => n.data("layerOrder")))].sort((a, b) => a - b);
  const anchors = cy.add([...orders, Infinity].map((o, i) => ({
    group: "nodes", classes: "anchor", data: { id: `anchor:${i}`, label: "" } })));
  const helper = [];
  orders.forEach((o, i) => {
    helper.push({ group: "edges", classes: "anchor", data: {
      id: `anchor:${i}->${i + 1}`, source: `anchor:${i}`, target: `anchor:${i + 1}`, gap: 1 } });
  });
  nodes.forEach((n) => {
    const i = orders.indexOf(n.data("layerOrder"));
    helper.push({ group: "edges", classes: "anchor", data: {
      id: `anchor:${i}=>${n.id()}`, source: `anchor:${i}`, target: n.id(), gap: 1 } });
    helper.push({ group: "edges", classes: "anchor", data: {
      id: `anchor:${n.id()}=>${i + 1}`, source: n.id(), target: `anchor:${i + 1}`, gap: 1 } });
  });
  const helpers = cy.add(helper);
  const downward = drawn(cy).edges().filter((e) => !e.hasClass("anchor")
    && e.source().data("layerOrder") <= e.target().data("layerOrder"));
  nodes.union(anchors).union(helpers).union(downward).layout({
    name: "dagre", rankDir: "TB", nodeSep: 24, rankSep: 22, edgeSep: 10, fit: false,
    animate: false, nodeDimensionsIncludeLabels: true,
    minLen: (e) => (e.hasClass("anchor") ? e.data("gap") : 1),
    edgeWeight: (e) => (e.hasClass("anchor") ? 0.01 : 1),
    sort: (a, b) => String(a.id()).localeCompare(String(b.id())),
  }).run();
  anchors.remove(); // removes the helper edges too
}

/** The zoom at which the drawn elements fill the container (labels included). */
function fitZoom(cy, padding) {
  const bb = drawn(cy).boundingBox({ includeLabels: true });
  if (!bb.w || !bb.h) return cy.maxZoom();
  return Math.min((cy.width() - 2 * padding) / bb.w, (cy.height() - 2 * padding) / bb.h);
}

/** Fit, but never so far out that a label renders below PALETTE.minLabelPx: when the whole map
 * does not fit readably, show its top (the experience layer) at the smallest readable zoom. */
export function readableFit(cy, padding = 30) {
  const eles = drawn(cy);
  if (eles.empty()) return;
  const zoom = Math.min(1.4, fitZoom(cy, padding));
  if (zoom >= MIN_READABLE_ZOOM) {
    cy.fit(eles, padding);
    if (cy.zoom() > 1.4) cy.zoom({ level: 1.4, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    return;
  }
  const bb = eles.boundingBox({ includeLabels: true });
  cy.zoom(MIN_READABLE_ZOOM);
  const wide = bb.w * MIN_READABLE_ZOOM > cy.width() - 2 * padding;
  cy.pan({
    x: wide ? padding - bb.x1 * MIN_READABLE_ZOOM
      : cy.width() / 2 - ((bb.x1 + bb.x2) / 2) * MIN_READABLE_ZOOM,
    y: padding - bb.y1 * MIN_READABLE_ZOOM,
  });
}

/** The width the widest layer needs at zoom 1 if its elements stood in one row. */
function widestLayer(cy) {
  const widths = new Map();
  cy.nodes().not(".clustered, .anchor").forEach((n) => {
    const w = Math.min(130, 7 * String(n.data("label") || "").length) + 24;
    widths.set(n.data("layerOrder"), (widths.get(n.data("layerOrder")) || 0) + w);
  });
  return Math.max(0, ...widths.values());
}

/** Layered layout, folding the largest same-layer same-kind groups into cluster nodes until
 * the map fits at a readable zoom (or nothing more can be folded), then a readable fit. */
export function layeredLayout(cy, { padding = 30, fit = true } = {}) {
  if (cy.nodes().empty()) return;
  // fold first by a cheap estimate (a layer's elements side by side; dagre spreads a layer over
  // sub-rows, so only twice the room is surely too wide), so that dagre, the slow part, runs on
  // a map that about fits, a few times at most
  while (widestLayer(cy) * MIN_READABLE_ZOOM > 2 * (cy.width() - 2 * padding)) {
    if (!clusterLargestGroup(cy)) break;
  }
  for (let round = 0; round < 4; round += 1) {
    runDagre(cy);
    if (fitZoom(cy, padding) >= MIN_READABLE_ZOOM) break;
    if (!clusterLargestGroup(cy)) break;
  }
  updateClusters(cy);
  if (fit) readableFit(cy, padding);
}

// --------------------------------------------------------------------------------- legend

/** A small SVG of a kind's shape in its colour, for the legend and the lists. */
export function shapeSwatch(kind, size = 16) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("swatch");
  const poly = (pts) => {
    const p = document.createElementNS(ns, "polygon");
    p.setAttribute("points", pts);
    return p;
  };
  const ngon = (n, rot = -Math.PI / 2) => poly(Array.from({ length: n }, (_, i) => {
    const a = rot + (2 * Math.PI * i) / n;
    return `${(8 + 7 * Math.cos(a)).toFixed(1)},${(8 + 7 * Math.sin(a)).toFixed(1)}`;
  }).join(" "));
  let shape;
  switch (kind.shape) {
    case "ellipse": shape = document.createElementNS(ns, "circle");
      shape.setAttribute("cx", 8); shape.setAttribute("cy", 8); shape.setAttribute("r", 7); break;
    case "rectangle": case "round-rectangle": case "barrel":
      shape = document.createElementNS(ns, "rect");
      shape.setAttribute("x", 1); shape.setAttribute("y", 3);
      shape.setAttribute("width", 14); shape.setAttribute("height", 10);
      shape.setAttribute("rx", { rectangle: 0, "round-rectangle": 3, barrel: 6 }[kind.shape]); break;
    case "triangle": shape = poly("8,1 15,15 1,15"); break;
    case "right-rhomboid": shape = poly("1,3 11,3 15,13 5,13"); break;
    case "tag": shape = poly("1,3 11,3 15,8 11,13 1,13"); break;
    case "diamond": shape = poly("8,1 15,8 8,15 1,8"); break;
    case "pentagon": shape = ngon(5); break;
    case "hexagon": shape = ngon(6, 0); break;
    default: shape = ngon(7);
  }
  shape.setAttribute("fill", kind.colour);
  shape.setAttribute("stroke", "#1b1f24");
  shape.setAttribute("stroke-width", "1.2");
  svg.append(shape);
  return svg;
}

/** Legend (outside the drawing): the kinds present in the graph, each with its shape and
 * colour, and a folded count of clusters. */
export function renderLegend(cy, target) {
  const present = new Set(cy.nodes().not(".anchor").map((n) => n.data("kind")));
  const list = target.querySelector(".legend-kinds") || target;
  list.replaceChildren();
  target.hidden = present.size === 0;
  for (const kind of KINDS.filter((k) => present.has(k.id))) {
    const item = document.createElement("li");
    item.dataset.kind = kind.id;
    item.append(shapeSwatch(kind), document.createTextNode(kind.label));
    list.append(item);
  }
}
