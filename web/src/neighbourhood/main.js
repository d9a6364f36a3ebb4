// Small neighbourhood graph on resource pages (/id/...): include with
//   <div id="svckg-neighbourhood" data-iri="{{ iri }}"></div>
//   <script type="module" src="/static/neighbourhood.js"></script>
import {
  createGraph, edgeData, expandCluster, layeredLayout, nodeData, readableFit,
} from "../shared/graph.js";
import { getJSON, resourceHref } from "../shared/api.js";

const LIMIT = 30;

async function draw(container) {
  const iri = container.dataset.iri;
  if (!iri) return;
  container.style.position = "relative";
  container.style.height = container.style.height || "360px";
  container.style.border = "1px solid #c9d1da";
  container.setAttribute("role", "img");
  const box = document.createElement("div");
  box.style.position = "absolute";
  box.style.inset = "0";
  container.append(box);
  const note = document.createElement("p");
  try {
    const [self, around] = await Promise.all([
      getJSON(`/api/ui/nodes?iri=${encodeURIComponent(iri)}`),
      getJSON(`/api/ui/neighbours?iri=${encodeURIComponent(iri)}&limit=${LIMIT}`),
    ]);
    const cy = createGraph(box);
    cy.add(self.nodes.map((s) => ({ group: "nodes", data: nodeData(s), classes: "focus" })));
    cy.add(around.nodes.filter((s) => s.iri !== iri).map((s) => ({ group: "nodes", data: nodeData(s) })));
    cy.add(around.edges.map((e) => ({ group: "edges", data: edgeData(e) })));
    layeredLayout(cy);
    cy.on("tap", "node", (event) => {
      if (event.target.hasClass("cluster")) {
        expandCluster(cy, event.target);
        layeredLayout(cy, { fit: false });
        readableFit(cy);
      } else {
        window.location.href = resourceHref(event.target.id());
      }
    });
    container.setAttribute("aria-label",
      `Neighbourhood graph: ${around.nodes.length} linked elements`
      + (around.truncated ? ` (of ${around.total})` : ""));
    note.textContent = around.truncated
      ? `Showing ${around.nodes.length} of ${around.total} linked elements. `
      : "";
  } catch (err) {
    note.textContent = `Neighbourhood graph unavailable: ${err.message}`;
  }
  const open = document.createElement("a");
  open.href = `/#n=${encodeURIComponent(iri)}&s=${encodeURIComponent(iri)}`;
  open.textContent = "Open in the graph viewer";
  note.append(open);
  container.after(note);
}

for (const container of document.querySelectorAll("#svckg-neighbourhood, .svckg-neighbourhood")) {
  draw(container);
}
