// Graph viewer: search, open, expand by relation or layer (counts first, bounded), layered
// layout, details panel, permalinks and the impact overlay.
import "../shared/style.css";
import { el, fill, getJSON, renderNav, resourceHref } from "../shared/api.js";
import {
  createGraph, drawn, edgeData, expandCluster, layeredLayout, localName, nodeData, PALETTE,
  readableFit, renderLegend, updateClusters,
} from "../shared/graph.js";

const EXPAND_LIMIT = 40; // links added by one click; the next click adds the next 40
const IMPACT_DRAW_LIMIT = 120; // impacted elements drawn in the graph (all are listed)
const LAYER_ORDERS = {
  "experience-layer": 0, "service-layer": 1, "backend-layer": 2, "product-layer": 3,
  "resource-layer": 4, "capability-layer": 5, "stakeholder-layer": 6,
};

renderNav("/");
const $ = (id) => document.getElementById(id);
const cy = createGraph($("graph"));

// ---------------------------------------------------------------------------------- panels
// Below 1000 px the three columns fold into tabs (one panel at a time, the graph full width).
const NARROW = window.matchMedia("(max-width: 1000px)");
const TABS = [["tab-find", "find-panel"], ["tab-graph", "graph-wrap"], ["tab-details", "details"]];
function showTab(panel) {
  $("viewer").dataset.tab = panel;
  for (const [tab, target] of TABS) {
    $(tab).setAttribute("aria-selected", String(target === panel));
    $(tab).tabIndex = target === panel ? 0 : -1;
  }
  if (panel === "graph-wrap") requestAnimationFrame(() => { cy.resize(); });
}
TABS.forEach(([tab, panel], i) => {
  $(tab).addEventListener("click", () => showTab(panel));
  $(tab).addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const next = TABS[(i + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
    showTab(next[1]);
    $(next[0]).focus();
  });
});
NARROW.addEventListener("change", () => requestAnimationFrame(() => { cy.resize(); readableFit(cy); }));
showTab("graph-wrap");
const state = {
  selected: null,
  failed: new Map(), // iri -> label
  impact: null, // last impact result (normalised)
  pathsByNode: new Map(), // iri -> list of paths (list of steps {s,p,o})
};

// ---------------------------------------------------------------------------------- search
const search = $("search");
const results = $("search-results");
let searchTimer = null;
let searchSeq = 0;
let activeIndex = -1;

search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 200);
});
search.addEventListener("keydown", (event) => {
  const items = [...results.querySelectorAll("li[role=option]")];
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    if (!items.length) return;
    event.preventDefault();
    activeIndex = event.key === "ArrowDown"
      ? Math.min(items.length - 1, activeIndex + 1) : Math.max(0, activeIndex - 1);
    markActive(items);
  } else if (event.key === "Enter") {
    event.preventDefault();
    clearTimeout(searchTimer);
    if (items.length && activeIndex >= 0) items[activeIndex].click();
    else if (items.length === 1) items[0].click();
    else runSearch();
  } else if (event.key === "Escape") {
    hideResults();
  }
});

function markActive(items) {
  items.forEach((item, i) => item.setAttribute("aria-selected", String(i === activeIndex)));
  if (items[activeIndex]) {
    search.setAttribute("aria-activedescendant", items[activeIndex].id);
    items[activeIndex].scrollIntoView({ block: "nearest" });
  }
}

function hideResults() {
  results.hidden = true;
  search.setAttribute("aria-expanded", "false");
  search.removeAttribute("aria-activedescendant");
}

async function runSearch() {
  const q = search.value.trim();
  const seq = ++searchSeq;
  if (!q) { hideResults(); $("search-status").textContent = ""; return; }
  try {
    const data = await getJSON(`/api/ui/search?q=${encodeURIComponent(q)}&limit=25`);
    if (seq !== searchSeq) return;
    activeIndex = -1;
    results.replaceChildren(...data.results.map((r, i) => el("li", {
      id: `search-opt-${i}`, role: "option", "aria-selected": "false",
      dataset: { iri: r.iri },
      onclick: () => { hideResults(); openElement(r.iri); if (NARROW.matches) showTab("graph-wrap"); },
    }, el("strong", {}, r.label), " ",
    el("span", { class: "muted" }, [
      r.types.map((t) => t.label).join(", "), r.layer ? ` · ${r.layer.label}` : "",
    ].join("")))));
    results.hidden = data.results.length === 0;
    search.setAttribute("aria-expanded", String(!results.hidden));
    $("search-status").textContent = data.results.length
      ? `${data.results.length} match${data.results.length === 1 ? "" : "es"}: use the arrow keys and Enter to open`
      : `No element has a label containing "${q}".`;
  } catch (err) {
    $("search-status").textContent = err.message;
    $("search-status").className = "error";
  }
}

// ---------------------------------------------------------------------------------- graph
function addSummaries(summaries) {
  const added = [];
  for (const s of summaries) {
    if (cy.getElementById(s.iri).nonempty()) continue;
    added.push({ group: "nodes", data: nodeData(s) });
  }
  if (added.length) cy.add(added);
  return added.length;
}

function addEdges(edges) {
  const added = [];
  for (const e of edges) {
    const data = edgeData(e);
    if (cy.getElementById(data.id).nonempty()) continue;
    if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) continue;
    // one edge per pair and direction: an inferred dependsOn never doubles a specific relation
    const existing = cy.edges().filter((x) => x.data("source") === e.source
      && x.data("target") === e.target);
    if (existing.nonempty() && localName(e.predicate) === "dependsOn") continue;
    added.push({ group: "edges", data });
  }
  if (added.length) cy.add(added);
}

function refresh({ layout = true } = {}) {
  $("graph-empty").hidden = cy.nodes().nonempty();
  // the legend first: it takes room from the drawing, which the layout must know
  renderLegend(cy, $("legend"));
  renderOverlayLegend();
  cy.resize();
  if (layout) {
    layeredLayout(cy);
    autoFit = true;
  }
  renderLegend(cy, $("legend"));
  renderOverlayLegend();
  writePermalink();
}

// Keep the map framed while panels, tabs or the legend change the drawing's size, until the
// user pans or zooms themself.
let autoFit = false;
for (const type of ["wheel", "mousedown", "touchstart"]) {
  $("graph").addEventListener(type, () => { autoFit = false; }, { passive: true });
}
new ResizeObserver(() => {
  cy.resize();
  if (autoFit) readableFit(cy);
}).observe($("graph-box"));

cy.on("tap", "node", (event) => {
  if (event.target.hasClass("cluster")) openCluster(event.target);
  else openElement(event.target.id(), { addToGraph: false });
});

/** Unfold a cluster node ("12 journey steps"): lay out again and frame its members. */
function openCluster(cluster) {
  const label = cluster.data("label");
  const members = expandCluster(cy, cluster);
  layeredLayout(cy, { fit: false });
  readableFit(cy);
  if (members.nonempty()) {
    cy.center(members);
  }
  renderLegend(cy, $("legend"));
  renderOverlayLegend();
  $("graph-focus").textContent = `Unfolded ${label}.`;
}

// relation names are drawn only on the links of the selected element (no overlapping labels)
cy.on("select", "node", (event) => { cy.edges().removeClass("named"); event.target.connectedEdges().addClass("named"); });
cy.on("unselect", "node", () => cy.edges().removeClass("named"));
cy.on("mouseover", "node", (event) => showPaths(event.target, event.renderedPosition));
cy.on("mouseout", "node", hidePaths);

$("fit").addEventListener("click", () => { readableFit(cy); autoFit = true; });
$("export-png").addEventListener("click", () => {
  if (cy.nodes().empty()) return;
  download("svckg-graph.png", cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }));
});
$("relayout").addEventListener("click", () => layeredLayout(cy));
$("clear-graph").addEventListener("click", () => {
  cy.elements().remove();
  state.selected = null;
  renderEmptyDetails();
  refresh({ layout: false });
});
$("permalink").addEventListener("click", async () => {
  writePermalink();
  try {
    await navigator.clipboard.writeText(location.href);
    $("permalink").textContent = "Link copied";
  } catch {
    $("permalink").textContent = "Link in address bar";
  }
  setTimeout(() => { $("permalink").textContent = "Copy permalink"; }, 2000);
});

// keyboard: the graph takes focus; arrows walk the elements in reading order (layer by layer)
let keyIndex = -1;
$("graph").addEventListener("keydown", (event) => {
  const nodes = drawn(cy).nodes().sort((a, b) => (a.position("y") - b.position("y"))
    || (a.position("x") - b.position("x")));
  if (!nodes.length) return;
  const current = nodes.toArray().findIndex((n) => n.id() === state.selected);
  if (keyIndex < 0 || keyIndex >= nodes.length) keyIndex = Math.max(0, current);
  if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].includes(event.key)) {
    event.preventDefault();
    const step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : -1;
    keyIndex = (keyIndex + step + nodes.length) % nodes.length;
    const node = nodes[keyIndex];
    cy.nodes().unselect();
    node.select();
    cy.center(node);
    $("graph-focus").textContent = `${node.data("label")}, ${node.data("className")}, `
      + `${node.data("layerLabel")} (${keyIndex + 1} of ${nodes.length})`;
  } else if (event.key === "Enter" && keyIndex >= 0) {
    event.preventDefault();
    if (nodes[keyIndex].hasClass("cluster")) openCluster(nodes[keyIndex]);
    else openElement(nodes[keyIndex].id(), { addToGraph: false });
  } else if ((event.key === "f" || event.key === "F") && keyIndex >= 0) {
    event.preventDefault();
    toggleFailed(nodes[keyIndex].id(), nodes[keyIndex].data("label"));
  }
});

// ---------------------------------------------------------------------------------- details
function renderEmptyDetails() {
  $("details").replaceChildren(
    el("h1", { id: "details-heading" }, "Details"),
    el("p", { class: "muted" }, "Select an element in the graph or the search results."),
  );
}

async function openElement(iri, { addToGraph = true } = {}) {
  let node;
  try {
    node = await getJSON(`/api/ui/node?iri=${encodeURIComponent(iri)}`);
  } catch (err) {
    $("details").replaceChildren(el("h1", { id: "details-heading" }, "Details"),
      el("p", { class: "error" }, err.message));
    return;
  }
  state.selected = node.iri;
  if (addToGraph || cy.getElementById(node.iri).empty()) {
    if (addSummaries([node])) refresh();
  }
  cy.nodes().unselect();
  cy.getElementById(node.iri).select();
  renderDetails(node);
  writePermalink();
}

function renderDetails(node) {
  const failed = state.failed.has(node.iri);
  const panel = $("details");
  fill(panel,
    el("h1", { id: "details-heading" }, node.label),
    el("p", {},
      node.types.map((t) => el("a", { class: "badge", href: resourceHref(t.iri) }, t.label)),
      node.layer ? el("span", { class: "badge" }, node.layer.label) : null),
    node.definition ? el("p", {}, node.definition) : null,
    el("p", {},
      el("a", { href: resourceHref(node.iri) }, "Resource page"), " · ",
      el("button", {
        type: "button", id: "toggle-failed", "aria-pressed": String(failed),
        onclick: () => toggleFailed(node.iri, node.label),
      }, failed ? "Unmark failed" : "Mark as failed")),
    el("p", { class: "muted", style: "word-break: break-all; font-size: 0.8rem" }, node.iri),
  );
  if (node.literals.length) {
    panel.append(el("h2", {}, "Properties"), el("dl", { class: "literals" },
      node.literals.map((lit) => [el("dt", {}, lit.predicateLabel),
        el("dd", {}, lit.value, lit.lang ? el("span", { class: "muted" }, ` @${lit.lang}`) : null)])));
  }
  const total = node.counts.out + node.counts.in;
  panel.append(el("h2", { id: "expand-heading" },
    `Links (${node.counts.out} out, ${node.counts.in} in)`));
  if (!total) panel.append(el("p", { class: "muted" }, "No links to other elements."));
  const relList = el("ul", { class: "plain", "aria-labelledby": "expand-heading" });
  for (const g of node.links) {
    const arrow = g.direction === "out" ? "→" : "←";
    const shown = Math.min(g.count, EXPAND_LIMIT);
    relList.append(el("li", { class: "group" },
      el("span", {}, `${arrow} ${g.predicateLabel}`, " ",
        el("span", { class: "muted" }, g.sample.map((s) => s.label).join(", ")
          + (g.count > g.sample.length ? ", …" : ""))),
      el("button", {
        type: "button",
        class: "expand",
        dataset: { predicate: g.predicate, direction: g.direction },
        "aria-label": `Expand ${g.direction === "out" ? "outgoing" : "incoming"} ${g.predicateLabel}: ${g.count} element${g.count === 1 ? "" : "s"}`,
        onclick: () => expand(node.iri, { predicate: g.predicate, direction: g.direction }),
      }, g.count > shown ? `+${shown} of ${g.count}` : `+${g.count}`)));
  }
  panel.append(relList);
  if (node.layers === null) {
    panel.append(el("p", { class: "muted" },
      "Too many links to count by layer: expand by relation."));
  } else if (node.layers.length) {
    panel.append(el("h3", { id: "layer-heading" }, "Expand by layer"));
    panel.append(el("ul", { class: "plain", "aria-labelledby": "layer-heading" },
      node.layers.map((lay) => el("li", { class: "group" },
        el("span", {}, lay.label),
        el("button", {
          type: "button", class: "expand-layer", dataset: { layer: lay.iri },
          "aria-label": `Expand neighbours in ${lay.label}: ${lay.count}`,
          onclick: () => expand(node.iri, { layer: lay.iri }),
        }, lay.count > EXPAND_LIMIT ? `+${EXPAND_LIMIT} of ${lay.count}` : `+${lay.count}`)))));
  }
  panel.append(el("p", { id: "expand-status", role: "status", "aria-live": "polite" }));
}

const nextOffset = new Map(); // "iri|predicate|direction|layer" -> links already added

async function expand(iri, { predicate, direction, layer }) {
  const key = [iri, predicate, direction, layer].join("|");
  const offset = nextOffset.get(key) || 0;
  const params = new URLSearchParams({ iri, limit: String(EXPAND_LIMIT), offset: String(offset) });
  if (predicate) params.set("predicate", predicate);
  if (direction) params.set("direction", direction);
  if (layer) params.set("layer", layer);
  const status = $("expand-status");
  try {
    const data = await getJSON(`/api/ui/neighbours?${params}`);
    const before = cy.nodes().length;
    addSummaries(data.nodes);
    addEdges(data.edges);
    refresh();
    markImpact();
    const done = offset + data.edges.length;
    nextOffset.set(key, data.truncated ? done : 0);
    if (status) {
      status.className = "";
      status.textContent = `Added ${cy.nodes().length - before} element(s)`
        + (data.truncated
          ? `; ${done} of ${data.total} links shown: press the same button for the next ${Math.min(EXPAND_LIMIT, data.total - done)}.`
          : ".");
    }
  } catch (err) {
    if (status) { status.textContent = err.message; status.className = "error"; }
  }
}

// ---------------------------------------------------------------------------------- impact
function toggleFailed(iri, label) {
  if (state.failed.has(iri)) state.failed.delete(iri);
  else state.failed.set(iri, label);
  renderFailed();
  if (state.selected === iri) {
    const button = $("toggle-failed");
    const failed = state.failed.has(iri);
    button.textContent = failed ? "Unmark failed" : "Mark as failed";
    button.setAttribute("aria-pressed", String(failed));
  }
  writePermalink();
}

function renderFailed() {
  $("failed-list").replaceChildren(...[...state.failed.entries()].map(([iri, label]) =>
    el("li", { class: "group" }, el("span", {}, el("span", { class: "badge failed" }, "failed"), " ", label),
      el("button", {
        type: "button", "aria-label": `Remove ${label} from the failed elements`,
        onclick: () => toggleFailed(iri, label),
      }, "Remove"))));
  $("run-impact").disabled = state.failed.size === 0;
  cy.nodes().removeClass("failed");
  for (const iri of state.failed.keys()) cy.getElementById(iri).addClass("failed");
}

$("run-impact").addEventListener("click", runImpact);
$("clear-impact").addEventListener("click", () => {
  state.failed.clear();
  state.impact = null;
  state.pathsByNode.clear();
  renderFailed();
  markImpact();
  $("impact-results").replaceChildren();
  $("impact-status").textContent = "";
  writePermalink();
});

/** Normalise one impacted entry of /api/impact (H4's JSON) for drawing. */
function normaliseImpacted(item) {
  const types = (item.types || []).map((t) => (typeof t === "string"
    ? { iri: t, label: localName(t) } : t));
  let layer = item.layer;
  if (typeof layer === "string") {
    const name = localName(layer);
    layer = { iri: layer, label: name.replace(/-/g, " "), order: LAYER_ORDERS[name] ?? 7 };
  }
  return { ...item, types, layer: layer || null };
}

/** The impact panel's route; with ``format`` the same result as a CSV or JSON download. */
function impactUrl(failed, format = "") {
  return "/api/ui/impact?paths=3&" + failed.map((i) => `element=${encodeURIComponent(i)}`).join("&")
    + (format ? `&format=${format}` : "");
}

async function runImpact() {
  const failed = [...state.failed.keys()];
  if (!failed.length) return;
  const status = $("impact-status");
  status.className = "";
  status.textContent = "Running impact analysis…";
  let data;
  try {
    data = await getJSON(impactUrl(failed));
  } catch (err) {
    status.textContent = err.message;
    status.className = "error";
    return;
  }
  const impacted = (data.impacted || []).map(normaliseImpacted);
  state.impact = { ...data, impacted };
  state.pathsByNode = new Map(impacted.map((i) => [i.iri, i.paths || []]));
  // draw the failed and the nearest impacted elements with the relations along their paths
  const toDraw = [...impacted].sort((a, b) => (a.distance ?? 0) - (b.distance ?? 0))
    .slice(0, IMPACT_DRAW_LIMIT);
  // summaries from /api/ui/nodes: the same labels, classes and layers as the rest of the graph
  const wanted = [...failed, ...toDraw.map((i) => i.iri)].filter((iri) => cy.getElementById(iri).empty());
  if (wanted.length) {
    // ask with what is drawn already too, to get the links between old and new elements
    const all = [...new Set([...wanted, ...cy.nodes().map((n) => n.id())])].slice(0, 300);
    const drawn = await getJSON("/api/ui/nodes?" + all
      .map((i) => `iri=${encodeURIComponent(i)}`).join("&"));
    addSummaries(drawn.nodes);
    addEdges(drawn.edges);
  }
  const pathEdges = [];
  for (const item of toDraw) {
    for (const path of (item.paths || []).slice(0, 3)) {
      for (const step of path) {
        pathEdges.push({ source: step.s, target: step.o, predicate: step.p,
          predicateLabel: localName(step.p) });
      }
    }
  }
  addEdges(pathEdges);
  refresh();
  markImpact();
  renderImpact(impacted, data, toDraw.length);
}

function renderOverlayLegend() {
  const slot = $("legend").querySelector(".overlay-slot");
  const clusters = cy.nodes(".cluster").length;
  fill(slot,
    clusters ? el("p", { class: "muted" }, `Double-bordered nodes fold ${clusters === 1 ? "a group" : "groups"} `
      + "of the same kind and layer: click one (or Enter) to unfold it.") : null,
    state.impact || state.failed.size
      ? el("ul", { class: "plain overlay-key", "aria-label": "Status" }, PALETTE.status.map((s) => el("li", {
        dataset: { status: s.id } },
      el("span", { class: `status-sample ${s.id}`, "aria-hidden": "true" }, s.icon),
      `${s.label} (${s.border} border)`)), el("li", { class: "muted" }, "hover an element to see why"))
      : null);
}

/** Save a Blob or text as a file (the browser's download). */
function download(name, content, type = "application/octet-stream") {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const link = el("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

function markImpact() {
  cy.nodes().removeClass("down degraded visible");
  renderFailed();
  renderOverlayLegend();
  if (!state.impact) return;
  for (const item of state.impact.impacted) {
    const node = cy.getElementById(item.iri);
    if (node.empty()) continue;
    node.addClass(item.status === "degraded" ? "degraded" : "down");
    if (item.customerVisible) node.addClass("visible");
  }
  updateClusters(cy);
}

function renderImpact(impacted, data, drawn) {
  const down = impacted.filter((i) => i.status !== "degraded");
  const degraded = impacted.filter((i) => i.status === "degraded");
  const visible = impacted.filter((i) => i.customerVisible);
  $("impact-status").textContent = `${down.length} down, ${degraded.length} degraded, `
    + `${visible.length} customer-visible`
    + (drawn < impacted.length ? ` (the nearest ${drawn} drawn)` : "");
  const list = el("ul", { class: "plain impact-list", id: "impacted-list", "aria-label": "Impacted elements" },
    impacted.map((item) => el("li", { dataset: { iri: item.iri, status: item.status || "down" } },
      el("a", {
        href: "#", onclick: (event) => { event.preventDefault(); openElement(item.iri); },
      }, item.label || localName(item.iri)),
      el("span", { class: `badge ${item.status === "degraded" ? "degraded" : "down"}` }, item.status || "down"),
      item.customerVisible ? el("span", { class: "badge visible", title: "inside the band of visibility: the customer will notice" }, "customer-visible") : null,
      item.layer ? el("span", { class: "muted" }, ` ${item.layer.label}`) : null)));
  const agreements = data.agreements || [];
  const parties = data.parties || [];
  const calls = data.callList || [];
  const journeys = data.journeys || [];
  const heading = (title, id, count) => el("h3", { id: `${id}-heading` }, `${title} (${count})`);
  const none = el("p", { class: "muted" }, "None.");
  const failed = [...state.failed.keys()];
  const owned = (o) => o.elements.map((e) => e.label).join(", ");
  fill($("impact-results"),
    el("p", { class: "group export" }, el("span", {}, "Export this result:"),
      el("a", { class: "button", href: impactUrl(failed, "csv"), download: "svckg-impact.csv" }, "CSV"),
      el("a", { class: "button", href: impactUrl(failed, "json"), download: "svckg-impact.json" }, "JSON")),
    heading("Who to call", "call", calls.reduce((n, g) => n + g.owners.length, 0)),
    calls.length ? el("div", { id: "call", "aria-labelledby": "call-heading" }, calls.map((g) => [
      el("h4", {}, g.team ? el("a", { href: resourceHref(g.team) }, g.teamLabel) : g.teamLabel),
      el("ul", { class: "plain impact-list" }, g.owners.map((o) => el("li", { dataset: { iri: o.iri } },
        el("a", { href: resourceHref(o.iri) }, o.label),
        el("div", { class: "muted" }, `owns ${owned(o)}`)))),
    ])) : none.cloneNode(true),
    heading("Agreements at risk", "agreements", agreements.length),
    agreements.length ? el("ul", { class: "plain impact-list", id: "agreements", "aria-labelledby": "agreements-heading" },
      agreements.map((a) => el("li", { dataset: { iri: a.iri } },
        el("a", { href: resourceHref(a.iri) }, a.label || localName(a.iri)),
        a.status ? el("span", { class: `badge ${a.status === "degraded" ? "degraded" : "down"}` }, a.status) : null,
        (a.targets || []).length ? el("div", { class: "targets muted" }, "targets: ", a.targets.map((t, i) => el("span", { class: "target" },
          i ? "; " : "", t.label || localName(t.iri),
          t.value ? el("strong", {}, ` ${t.value}${t.unit ? ` ${t.unit}` : ""}`) : null))) : null)))
      : none.cloneNode(true),
    heading("Affected parties", "parties", parties.length),
    parties.length ? el("div", { id: "parties", "aria-labelledby": "parties-heading" },
      (data.partiesByRole || []).map((r) => [
        el("h4", {}, r.roleLabel),
        el("ul", { class: "plain impact-list" }, r.parties.map((p) => el("li", { class: "party" },
          el("a", { href: resourceHref(p.agent) }, p.agentLabel || localName(p.agent)),
          p.context ? el("span", { class: "muted" }, ` of ${p.contextLabel || localName(p.context)}`) : null))),
      ])) : none.cloneNode(true),
    heading("Journeys and touchpoints hit", "journeys", journeys.length),
    journeys.length ? el("ul", { class: "plain impact-list", id: "journeys", "aria-labelledby": "journeys-heading" },
      journeys.map((j) => el("li", { dataset: { iri: j.iri } },
        el("a", { href: resourceHref(j.iri) }, j.label),
        j.customerVisible ? el("span", { class: "badge visible" }, "customer-visible") : null)))
      : none.cloneNode(true),
    el("h3", {}, "Impacted elements"), list,
    // motivation, implementation and migration elements: touched, never down
    heading("Goals and plans touched", "goals-and-plans", (data.goalsAndPlans || []).length),
    (data.goalsAndPlans || []).length ? el("ul", { class: "plain impact-list", id: "goals-and-plans",
      "aria-labelledby": "goals-and-plans-heading" }, data.goalsAndPlans.map((g) => el("li", {},
      el("a", { href: resourceHref(g.iri) }, g.label || localName(g.iri)),
      el("span", { class: "muted" }, ` distance ${g.distance}`)))) : none.cloneNode(true),
  );
}

const tooltip = $("tooltip");
function showPaths(node, pos) {
  const paths = state.pathsByNode.get(node.id());
  if (!paths || !paths.length) return;
  const onPath = cy.collection();
  const lines = [];
  for (const path of paths.slice(0, 3)) {
    const names = [];
    for (const step of path) {
      const edges = cy.edges().filter((e) => e.data("source") === step.s && e.data("target") === step.o);
      onPath.merge(edges).merge(cy.getElementById(step.s)).merge(cy.getElementById(step.o));
      const sLabel = cy.getElementById(step.s).data("label") || localName(step.s);
      if (!names.length) names.push(sLabel);
      names.push(`—${localName(step.p)}→ ${cy.getElementById(step.o).data("label") || localName(step.o)}`);
    }
    lines.push(names.join(" "));
  }
  cy.elements().not(onPath).addClass("dimmed");
  onPath.edges().addClass("path");
  tooltip.textContent = lines.join("\n");
  tooltip.style.whiteSpace = "pre-line";
  tooltip.style.left = `${pos.x + 12}px`;
  tooltip.style.top = `${pos.y + 12}px`;
  tooltip.style.display = "block";
}

function hidePaths() {
  cy.elements().removeClass("dimmed path");
  tooltip.style.display = "none";
}

// ---------------------------------------------------------------------------------- permalink
let restoring = false;
function writePermalink() {
  if (restoring) return;
  const params = new URLSearchParams();
  cy.nodes().forEach((n) => params.append("n", n.id()));
  if (state.selected) params.set("s", state.selected);
  for (const iri of state.failed.keys()) params.append("f", iri);
  if (state.impact) params.set("impact", "1");
  const hash = params.toString();
  history.replaceState(null, "", hash ? `#${hash}` : location.pathname);
}

async function restorePermalink() {
  const params = new URLSearchParams(location.hash.slice(1));
  const nodes = params.getAll("n");
  const failed = params.getAll("f");
  if (!nodes.length && !failed.length) return;
  restoring = true;
  try {
    const all = [...new Set([...nodes, ...failed])];
    const data = await getJSON("/api/ui/nodes?" + all.map((i) => `iri=${encodeURIComponent(i)}`).join("&"));
    addSummaries(data.nodes.filter((n) => nodes.includes(n.iri)));
    addEdges(data.edges);
    for (const n of data.nodes) if (failed.includes(n.iri)) state.failed.set(n.iri, n.label);
    renderFailed();
    refresh();
    if (data.missing.length) {
      $("search-status").textContent = `${data.missing.length} element(s) of this link are no longer in the store.`;
    }
  } catch (err) {
    $("search-status").textContent = err.message;
  } finally {
    restoring = false;
  }
  if (params.get("s")) await openElement(params.get("s"), { addToGraph: false });
  if (params.get("impact") && state.failed.size) await runImpact();
  writePermalink();
}

// for the browser tests, bench/bench_ui.py --browser and the console
window.svckgViewer = { cy, state, layout: () => layeredLayout(cy) };
renderFailed();
restorePermalink();
