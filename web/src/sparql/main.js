// SPARQL console: YASGUI on /sparql, the named query catalogue in one compact picker (not a tab
// per query), a form for the ?_name_iri parameters of the query in the editor, bound on the
// server before the query is sent (a parameter left empty is an error naming it). No outside
// services: the LOV completers, prefix.cc and CORS proxies are all switched off.
import "../shared/style.css";
import "@zazuko/yasgui/build/yasgui.min.css";
import Yasgui from "@zazuko/yasgui";
import { el, getJSON, getToken, renderNav } from "../shared/api.js";
import { nameEditors } from "../shared/a11y.js";

renderNav("/ui/sparql");
const $ = (id) => document.getElementById(id);
const endpoint = `${location.origin}/sparql`;
$("endpoint").textContent = endpoint;
const status = $("sparql-status");
const PRESET = ["svc", "svcc", "id", "rdf", "rdfs", "skos"];
const PARAM = /[?$](_[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)\b/g;

// Only completers that work offline (the "property" and "class" ones call lov.linkeddata.es).
Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
Yasgui.Yasqe.defaults.prefixCcApi = null;

function headers() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The query text with a PREFIX line added for each svckg prefix it uses but does not declare
 * (the named queries do not declare id:, so results would show full IRIs). */
export function withPrefixes(text, prefixes) {
  const declared = new Set([...text.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:/gi)].map((m) => m[1] || ""));
  const missing = PRESET.filter((p) => prefixes[p] && !declared.has(p));
  if (!missing.length) return text;
  const lines = missing.map((p) => `PREFIX ${p}: <${prefixes[p]}>`).join("\n");
  const at = text.search(/^\s*PREFIX\s/im);
  return at < 0 ? `${lines}\n${text}` : `${text.slice(0, at)}${lines}\n${text.slice(at).replace(/^\s*/, "")}`;
}

/** Parameter names (?_failed_iri -> failed) in the order the text uses them; comments and
 * strings are not excluded here: the server's lexer decides, this only draws the form. */
function paramsIn(text) {
  const names = new Map();
  for (const m of text.replace(/#[^\n]*/g, "").matchAll(PARAM)) {
    const variable = m[1];
    const body = variable.slice(1);
    const kind = body.endsWith("_iri") && body.length > 4 ? "iri"
      : body.endsWith("_integer") && body.length > 8 ? "integer" : "string";
    const name = kind === "iri" ? body.slice(0, -4) : kind === "integer" ? body.slice(0, -8) : body;
    if (!names.has(name)) names.set(name, { name, variable, kind });
  }
  return [...names.values()];
}

const values = new Map(); // parameter name -> last value typed (kept across queries)
function renderParams(yasqe) {
  const params = paramsIn(yasqe.getValue());
  const known = new Set([...document.querySelectorAll("#param-fields input")].map((i) => i.name));
  if (params.length === known.size && params.every((p) => known.has(p.name))) return;
  $("param-fields").replaceChildren(...params.map((p) => el("div", { class: "param" },
    el("label", { for: `param-${p.name}` }, `${p.name} `, el("span", { class: "muted" }, `(${p.kind}, ?${p.variable})`)),
    el("input", {
      type: "text", id: `param-${p.name}`, name: p.name, value: values.get(p.name) || "",
      placeholder: p.kind === "iri" ? "id:mail-server or a full IRI" : p.kind,
      oninput: (event) => values.set(p.name, event.target.value),
    }))));
  $("query-params").hidden = params.length === 0;
}

let picked = null; // the named query last loaded (its name goes into error messages)
let yasgui;

async function start() {
  let prefixes = {};
  try {
    prefixes = await getJSON("/api/ui/prefixes");
  } catch (err) {
    status.textContent = `Could not load the prefixes: ${err.message}`;
  }
  const prefixLines = PRESET.filter((p) => prefixes[p]).map((p) => `PREFIX ${p}: <${prefixes[p]}>`).join("\n");
  // svckg's prefixes first in the prefix completer: typing "svc:" adds its PREFIX line
  const bundled = Yasgui.Yasqe.Autocompleters.prefixes;
  const ours = Object.entries(prefixes).map(([p, ns]) => `${p}: <${ns}>`);
  Yasgui.Yasqe.registerAutocompleter({
    ...bundled,
    persistenceId: "svckg-prefixes",
    get: (yasqe) => Promise.resolve(bundled.get(yasqe)).then((others) => [
      ...ours, ...others.filter((line) => !(line.split(":")[0] in prefixes))]),
  }, true);
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.value = `${prefixLines}\n\nSELECT ?element ?label ?type WHERE {\n`
    + "  ?element a ?type ; rdfs:label ?label .\n  ?type rdfs:subClassOf* svc:Service .\n} LIMIT 50\n";
  yasgui = new Yasgui($("yasgui"), {
    requestConfig: {
      endpoint, method: "POST", headers: headers(),
      // the text bound on the server for this run (see bindAndRun), else the editor's text
      adjustQueryBeforeRequest: (yasqe) => yasqe.svckgBound ?? yasqe.getValue(),
    },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
    persistenceId: "svckg-sparql-2",
    populateFromUrl: true,
    tabName: "Query",
    yasqe: { editorHeight: "240px" },
  });
  window.svckgYasgui = yasgui; // for the browser tests and the curious
  nameEditors($("yasgui"), (field) => (field.tagName === "TEXTAREA"
    ? (field.closest(".yasr") ? "Response" : "SPARQL query") : "Endpoint URL"));
  for (const id of Object.keys(yasgui._tabs || {})) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  const wire = (tab) => {
    const yasqe = tab.getYasqe();
    if (!yasqe || yasqe.svckgWired) return;
    yasqe.svckgWired = true;
    const run = yasqe.query.bind(yasqe);
    yasqe.query = (...args) => bindAndRun(yasqe, run, args);
    yasqe.on("change", () => renderParams(yasqe));
    renderParams(yasqe);
  };
  wire(yasgui.getTab());
  yasgui.on("tabSelect", () => setTimeout(() => wire(yasgui.getTab()), 0));
  yasgui.on("tabAdd", () => setTimeout(() => wire(yasgui.getTab()), 0));

  let catalogue;
  try {
    catalogue = await getJSON("/api/queries", { headers: { Accept: "application/json", ...headers() } });
  } catch (err) {
    status.textContent = `The named query catalogue is not available: ${err.message}`;
    status.className = "error";
    return;
  }
  const queries = Array.isArray(catalogue) ? catalogue : catalogue.queries || [];
  const byTag = new Map();
  for (const q of queries) {
    const tag = (q.tags || [])[0] || "other";
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push(q);
  }
  for (const [tag, items] of [...byTag.entries()].sort()) {
    $("query-picker").append(el("optgroup", { label: tag }, items.map((q) => el("option", {
      value: q.name, title: q.summary }, `${q.name}${q.parameters.length ? ` (${q.parameters.map((p) => p.name).join(", ")})` : ""}`))));
  }
  $("query-picker").addEventListener("change", async (event) => {
    const name = event.target.value;
    const q = queries.find((x) => x.name === name);
    picked = q || null;
    $("query-summary").textContent = q ? q.summary : "";
    if (!q) return;
    const response = await fetch(`/api/queries/${encodeURIComponent(name)}/sparql`, { headers: headers() });
    if (!response.ok) {
      status.textContent = `Could not load ${name}: ${response.status}`;
      status.className = "error";
      return;
    }
    const yasqe = yasgui.getTab().getYasqe();
    yasqe.setValue(withPrefixes(await response.text(), prefixes));
    renderParams(yasqe);
    status.className = "";
    status.textContent = q.parameters.length
      ? `Loaded ${name}: fill in ${q.parameters.map((p) => p.name).join(", ")} and run it.`
      : `Loaded ${name}.`;
  });
  status.textContent = `${queries.length} named queries in the picker.`;
}

/** Bind the parameters on the server, then run; a missing parameter stops the run with the
 * server's error naming it. Queries without parameters run as typed. */
async function bindAndRun(yasqe, run, args) {
  const text = yasqe.getValue();
  yasqe.svckgBound = undefined;
  if (paramsIn(text).length) {
    const params = Object.fromEntries([...document.querySelectorAll("#param-fields input")]
      .map((i) => [i.name, i.value]));
    try {
      const bound = await getJSON("/api/ui/sparql/bind", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", ...headers() },
        body: JSON.stringify({ query: text, params, name: picked ? picked.name : null }),
      });
      yasqe.svckgBound = bound.query;
    } catch (err) {
      status.textContent = err.message;
      status.className = "error";
      const first = document.querySelector("#param-fields input:placeholder-shown");
      if (first) first.focus();
      return undefined;
    }
  }
  status.className = "";
  status.textContent = "";
  try {
    return await run(...args);
  } finally {
    yasqe.svckgBound = undefined;
  }
}

start();
