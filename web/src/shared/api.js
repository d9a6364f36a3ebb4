// Small helpers shared by every page: JSON fetch with svckg's error bodies, DOM building, nav.

/** Fetch JSON from the svckg server; throws an Error whose message is the server's sentence. */
export async function getJSON(url, options = {}) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, ...options });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const err = new Error(describeError(body, response, text));
    err.status = response.status;
    err.body = body;
    throw err;
  }
  return body;
}

/** The sentence of a svckg error body ({error, message, where, hint}) or FastAPI's detail. */
export function describeError(body, response, text = "") {
  if (body && typeof body === "object") {
    const e = body.detail && typeof body.detail === "object" && !Array.isArray(body.detail)
      ? body.detail : body;
    if (e.message) {
      let s = e.where ? `${e.where}: ${e.message}` : e.message;
      if (e.hint) s += ` (${e.hint})`;
      return s;
    }
    if (Array.isArray(body.detail)) {
      return body.detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
    }
    if (typeof body.detail === "string") return body.detail;
  }
  return `${response.status} ${response.statusText} ${text.slice(0, 200)}`.trim();
}

/** Create an element: el("a", {href: "/"}, "text", child...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace the children of ``node``, skipping null/false and flattening arrays. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Browser URL of an element's resource page (/id/... for svckg IRIs, else /resource?iri=). */
export function resourceHref(iri) {
  const base = "https://w3id.org/svckg/id/";
  if (iri.startsWith(base)) return "/id/" + iri.slice(base.length);
  return "/resource?iri=" + encodeURIComponent(iri);
}

const PAGES = [
  ["/", "Graph"],
  ["/ui/catalogue", "Catalogue"],
  ["/ui/classes", "Classes"],
  ["/ui/sparql", "SPARQL"],
  ["/graphql", "GraphQL"],
  ["/ui/validate", "Validate and import"],
  ["/ui/imports", "Import history"],
  ["/docs", "API docs"],
];

/** Fill <header class="site"> with the navigation, marking the current page. */
export function renderNav(current) {
  const header = document.querySelector("header.site");
  if (!header) return;
  header.replaceChildren(
    el("a", { class: "skip-link", href: "#content" }, "Skip to content"),
    el("a", { class: "brand", href: "/" }, "svckg"),
    el("nav", { "aria-label": "Main" },
      el("ul", {}, PAGES.map(([href, label]) =>
        el("li", {}, el("a", { href, "aria-current": href === current ? "page" : null }, label))))),
  );
}

/** The editor token the user typed on the validation page, kept for this browser session. */
export function getToken() {
  return sessionStorage.getItem("svckg-token") || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem("svckg-token", token);
  else sessionStorage.removeItem("svckg-token");
}
