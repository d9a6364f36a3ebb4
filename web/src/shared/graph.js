// Cytoscape set-up shared by the viewer and the resource-page neighbourhood: colours by class,
// a layered layout (experience at the top ... capability, stakeholders at the bottom).
import cytoscape from "cytoscape";

/** Colour per class local name (colour-blind-friendly hues, dark enough for white text). */
const CLASS_COLOURS = {
  CustomerJourney: "#7a3e9d", JourneyStep: "#8e55b0", Touchpoint: "#a66bc4",
  ServiceInteraction: "#b07cc8", Channel: "#9a6fb0", Persona: "#6d4c8a", CustomerSegment: "#5e3f7a",
  CustomerFacingService: "#0b5cad", Service: "#2f6fb5", ServiceOffering: "#1f4e8c",
  ServicePackage: "#2a6599", ServiceSolution: "#345f8a", ServiceDomain: "#27496d",
  ServiceFeature: "#4a76a8",
  BackendService: "#00838f", Product: "#2e7d32", Resource: "#8d6e00",
  Application: "#b35900", InfrastructureComponent: "#5d4037", InformationAsset: "#9c6b1f",
  Process: "#7c5a00", ValueStream: "#6e5300", Capability: "#5d6b00",
  Agreement: "#ad1457", ServiceLevelAgreement: "#ad1457", OperationalLevelAgreement: "#c2185b",
  UnderpinningContract: "#880e4f", ServiceLevelTarget: "#b0416f",
  Organization: "#37474f", Person: "#455a64", Team: "#546e7a", RoleAssignment: "#607d8b",
  ServiceRelationship: "#4e5d6c", BandOfVisibility: "#6a5acd", RedundancyGroup: "#795548",
  Outcome: "#33691e", Risk: "#bf360c", Cost: "#4e342e",
};
const FALLBACK = ["#3f51b5", "#00796b", "#5d4037", "#c62828", "#6a1b9a", "#283593", "#2e7d32"];

export function localName(iri) {
  const m = /[#/:]([^#/:]+)$/.exec(iri);
  return m ? m[1] : iri;
}

/** The class that names an element's colour: the first type with a known colour. */
export function mainClass(types) {
  for (const t of types || []) if (CLASS_COLOURS[localName(t.iri)]) return t;
  return (types || [])[0] || null;
}

export function colourFor(cls) {
  if (!cls) return "#6b7785";
  const name = localName(cls.iri);
  if (CLASS_COLOURS[name]) return CLASS_COLOURS[name];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return FALLBACK[h % FALLBACK.length];
}

/** Cytoscape node data for an element summary {iri, label, types, layer}. */
export function nodeData(summary) {
  const cls = mainClass(summary.types);
  return {
    id: summary.iri,
    label: summary.label,
    className: cls ? cls.label : "",
    classIri: cls ? cls.iri : "",
    colour: colourFor(cls),
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

export const STYLE = [
  { selector: "node", style: {
    "background-color": "data(colour)", label: "data(label)", color: "#1b1f24",
    "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap",
    "text-max-width": 120, width: 26, height: 26, "border-width": 1, "border-color": "#1b1f24",
    "text-background-color": "#ffffff", "text-background-opacity": 0.8,
    "text-background-padding": 1,
  } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#ffbf47" } },
  { selector: "edge", style: {
    width: 1.5, "line-color": "#8a96a3", "target-arrow-color": "#8a96a3",
    "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)",
    "font-size": 8, color: "#4a5360", "text-rotation": "autorotate",
    "text-background-color": "#fbfcfd", "text-background-opacity": 0.8,
  } },
  { selector: "node.failed", style: { shape: "octagon", "background-color": "#5c0a06",
    width: 34, height: 34, "border-width": 3, "border-color": "#000" } },
  { selector: "node.down", style: { "border-width": 5, "border-color": "#b3261e" } },
  { selector: "node.degraded", style: { "border-width": 5, "border-color": "#e07b00",
    "border-style": "dashed" } },
  { selector: "node.visible", style: { shape: "star", width: 34, height: 34 } },
  { selector: "node.dimmed, edge.dimmed", style: { opacity: 0.25 } },
  { selector: "edge.path", style: { width: 4, "line-color": "#b3261e",
    "target-arrow-color": "#b3261e", "z-index": 10 } },
  { selector: "node.focus", style: { width: 36, height: 36 } },
];

export function createGraph(container) {
  return cytoscape({
    container, style: STYLE, minZoom: 0.15, maxZoom: 3,
    boxSelectionEnabled: false,
  });
}

/** Layered layout: one band per architecture layer (experience at the top), nodes in a band
 * sorted by class and label, wrapped every ``perLine`` nodes and staggered so that links
 * between neighbours in a band do not run through other nodes. */
export function layeredLayout(cy, { lineGap = 120, layerGap = 60, colGap = 150, perLine = 8 } = {}) {
  const rows = new Map();
  cy.nodes().forEach((n) => {
    const order = n.data("layerOrder");
    if (!rows.has(order)) rows.set(order, []);
    rows.get(order).push(n);
  });
  const positions = {};
  let y = 0;
  for (const order of [...rows.keys()].sort((a, b) => a - b)) {
    const nodes = rows.get(order).sort((a, b) =>
      (a.data("className") + a.data("label")).localeCompare(b.data("className") + b.data("label")));
    const lines = Math.ceil(nodes.length / perLine);
    nodes.forEach((n, i) => {
      const line = Math.floor(i / perLine);
      const inLine = Math.min(perLine, nodes.length - line * perLine);
      const col = i % perLine;
      positions[n.id()] = {
        x: (col - (inLine - 1) / 2) * colGap,
        y: y + line * lineGap + (col % 2) * (lineGap / 3),
      };
    });
    y += lines * lineGap + layerGap;
  }
  cy.layout({ name: "preset", positions, fit: true, padding: 40, animate: false }).run();
  if (cy.zoom() > 1.4) cy.zoom({ level: 1.4, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
}

/** Legend listing the classes present in the graph with their colours. */
export function renderLegend(cy, target) {
  const seen = new Map();
  cy.nodes().forEach((n) => seen.set(n.data("className") || "other", n.data("colour")));
  target.replaceChildren();
  if (!seen.size) { target.hidden = true; return; }
  target.hidden = false;
  for (const [name, colour] of [...seen.entries()].sort()) {
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = colour;
    target.append(sw, document.createTextNode(name));
  }
}
