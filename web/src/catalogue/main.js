// Catalogue lists: one list at a time, sorted, filtered and paged by /api/ui/catalogue/KIND;
// the state lives in the address (?kind=&q=&sort=&order=&offset=) so a view can be shared.
import "../shared/style.css";
import { el, getJSON, renderNav, resourceHref } from "../shared/api.js";

renderNav("/ui/catalogue");
const $ = (id) => document.getElementById(id);
const PAGE = 50;
const params = new URLSearchParams(location.search);
const state = {
  kind: params.get("kind") || "cfs",
  q: params.get("q") || "",
  sort: params.get("sort") || "label",
  order: params.get("order") || "asc",
  offset: Number(params.get("offset") || 0),
};
$("filter").value = state.q;
let lists = [];
let seq = 0;

function writeUrl() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v && !(k === "offset" && v === 0)) p.set(k, v);
  history.replaceState(null, "", `?${p}`);
}

function renderLists() {
  document.querySelector(".list-picker").replaceChildren(...lists.map((l) => el("li", {},
    el("a", {
      href: `?kind=${l.kind}`, "aria-current": l.kind === state.kind ? "page" : null,
      onclick: (event) => { event.preventDefault(); Object.assign(state, { kind: l.kind, offset: 0 }); renderLists(); load(); },
    }, l.title, " ", el("span", { class: "badge" }, l.count.toLocaleString("en"))))));
}

async function load() {
  const mine = ++seq;
  writeUrl();
  const p = new URLSearchParams({ q: state.q, sort: state.sort, order: state.order,
    offset: String(state.offset), limit: String(PAGE) });
  $("list-status").textContent = "Loading…";
  let data;
  try {
    data = await getJSON(`/api/ui/catalogue/${encodeURIComponent(state.kind)}?${p}`);
  } catch (err) {
    $("list-status").textContent = err.message;
    $("list-status").className = "error";
    return;
  }
  if (mine !== seq) return;
  $("list-status").className = "muted";
  $("list-status").textContent = state.q ? `${data.total.toLocaleString("en")} match "${state.q}"` : "";
  $("list-caption").textContent = `${data.title} (${data.total.toLocaleString("en")})`;
  document.querySelectorAll("#catalogue-table th[data-sort]").forEach((th) => {
    th.setAttribute("aria-sort", th.dataset.sort === state.sort
      ? (state.order === "asc" ? "ascending" : "descending") : "none");
  });
  document.querySelector("#catalogue-table tbody").replaceChildren(...data.rows.map((r) => el("tr",
    { dataset: { iri: r.iri } },
    el("td", {}, el("a", { href: resourceHref(r.iri) }, r.label)),
    el("td", {}, r.class.label),
    el("td", {}, r.owners.length ? r.owners.map((o, i) => [i ? ", " : "", el("a", { href: resourceHref(o.iri) }, o.label)]) : el("span", { class: "muted" }, "none")),
    el("td", {}, r.status || el("span", { class: "muted" }, "—")),
    el("td", {}, el("a", { href: `/#n=${encodeURIComponent(r.iri)}&s=${encodeURIComponent(r.iri)}`,
      "aria-label": `Show in graph: ${r.label}` }, "Show in graph")))));
  const last = Math.min(data.total, state.offset + data.rows.length);
  $("page-info").textContent = data.total
    ? `${(state.offset + 1).toLocaleString("en")}–${last.toLocaleString("en")} of ${data.total.toLocaleString("en")}`
    : "No rows.";
  $("prev-page").disabled = state.offset === 0;
  $("next-page").disabled = last >= data.total;
}

document.querySelectorAll("#catalogue-table th[data-sort] button").forEach((button) => {
  button.addEventListener("click", () => {
    const sort = button.parentElement.dataset.sort;
    state.order = state.sort === sort && state.order === "asc" ? "desc" : "asc";
    state.sort = sort;
    state.offset = 0;
    load();
  });
});
let timer;
$("filter").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => { state.q = $("filter").value.trim(); state.offset = 0; load(); }, 250);
});
$("list-filter").addEventListener("submit", (event) => event.preventDefault());
$("prev-page").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); load(); });
$("next-page").addEventListener("click", () => { state.offset += PAGE; load(); });

getJSON("/api/ui/catalogue").then((data) => { lists = data.lists; renderLists(); }).catch((err) => {
  $("list-status").textContent = err.message;
});
load();
