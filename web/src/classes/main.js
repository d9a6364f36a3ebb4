// Ontology browser: the class tree with instance counts (folded below the first level) and
// the properties with domain and range; every term links to its resource page.
import "../shared/style.css";
import { el, getJSON, renderNav, resourceHref } from "../shared/api.js";

renderNav("/ui/classes");
const $ = (id) => document.getElementById(id);

function item(node, depth) {
  const children = node.children.length
    ? el("ul", { id: `sub-${cssId(node.iri)}`, hidden: depth > 0 ? true : null },
      node.children.map((c) => item(c, depth + 1)))
    : null;
  const toggle = children ? el("button", {
    type: "button", class: "tree-toggle", "aria-expanded": String(depth === 0),
    "aria-controls": children.id, "aria-label": `Subclasses of ${node.label}`,
    onclick: (event) => {
      const open = event.currentTarget.getAttribute("aria-expanded") !== "true";
      event.currentTarget.setAttribute("aria-expanded", String(open));
      children.hidden = !open;
    },
  }) : el("span", { class: "tree-leaf", "aria-hidden": "true" });
  return el("li", { dataset: { iri: node.iri } }, toggle,
    el("a", { href: resourceHref(node.iri), title: node.definition || null }, node.label), " ",
    el("span", { class: "badge", title: "instances of this class" }, String(node.count)),
    node.children.length ? el("span", { class: "muted" }, ` ${node.total} with subclasses`) : null,
    children);
}

let ids = 0;
const idOf = new Map();
function cssId(iri) {
  if (!idOf.has(iri)) idOf.set(iri, `c${ids += 1}`);
  return idOf.get(iri);
}

const list = (ends) => ends.map((e, i) => [i ? ", " : "", el("a", { href: resourceHref(e.iri) }, e.label)]);

getJSON("/api/ui/classes").then((data) => {
  $("class-tree").replaceChildren(...data.roots.map((r) => item(r, 0)));
  document.querySelector("#properties tbody").replaceChildren(...data.properties.map((p) => el("tr", {},
    el("td", {}, el("a", { href: resourceHref(p.iri), title: p.definition || null }, p.label)),
    el("td", {}, list(p.domain)), el("td", {}, list(p.range)))));
  $("classes-status").textContent = `${data.classes} classes, ${data.properties.length} properties.`;
}).catch((err) => {
  $("classes-status").textContent = err.message;
  $("classes-status").className = "error";
});
