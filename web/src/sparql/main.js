// SPARQL console: YASGUI on /sparql with the named queries as tabs. No outside services: the
// LOV property/class autocompleters, prefix.cc and CORS proxies are all switched off.
import "../shared/style.css";
import "@zazuko/yasgui/build/yasgui.min.css";
import Yasgui from "@zazuko/yasgui";
import { getJSON, getToken, renderNav } from "../shared/api.js";

renderNav("/ui/sparql");
const endpoint = `${location.origin}/sparql`;
document.getElementById("endpoint").textContent = endpoint;
const status = document.getElementById("sparql-status");

// Only completers that work offline (the "property" and "class" ones call lov.linkeddata.es).
Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
Yasgui.Yasqe.defaults.prefixCcApi = null;

function headers() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function start() {
  let prefixes = {};
  try {
    prefixes = await getJSON("/api/ui/prefixes");
  } catch (err) {
    status.textContent = `Could not load the prefixes: ${err.message}`;
  }
  // the default tab names the prefixes most queries need; the named query tabs carry their own
  const preset = ["svc", "svcc", "id", "rdf", "rdfs", "skos"].filter((p) => prefixes[p]);
  const prefixLines = preset.map((p) => `PREFIX ${p}: <${prefixes[p]}>`).join("\n");
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
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST", headers: headers() },
    copyEndpointOnNewTab: true,
    corsProxy: undefined,
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
    persistenceId: "svckg-sparql",
    populateFromUrl: true,
    tabName: "Query",
    yasqe: { editorHeight: "360px" },
  });
  window.svckgYasgui = yasgui; // for the browser tests and the curious
  // tabs restored from an older session may point elsewhere: bring them all back here
  for (const id of Object.keys(yasgui._tabs || {})) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  }
  let catalogue;
  try {
    catalogue = await getJSON("/api/queries", { headers: { Accept: "application/json", ...headers() } });
  } catch (err) {
    status.textContent = `The named query catalogue is not available: ${err.message}`;
    status.className = "error";
    return;
  }
  const queries = Array.isArray(catalogue) ? catalogue : catalogue.queries || [];
  // the catalogue may leave the text out: each query's SPARQL is at /api/queries/NAME/sparql
  const texts = await Promise.all(queries.map(async (q) => {
    if (q.query) return q.query;
    const response = await fetch(`/api/queries/${encodeURIComponent(q.name)}/sparql`,
      { headers: headers() });
    return response.ok ? response.text() : null;
  }));
  let added = 0;
  queries.forEach((q, i) => {
    if (!texts[i]) return;
    yasgui.addTab(false, {
      name: q.name,
      yasqe: { value: texts[i] },
      requestConfig: { endpoint, method: "POST", headers: headers() },
    }, { avoidDuplicateTabs: true });
    added += 1;
  });
  status.textContent = `${added} named queries loaded as tabs.`;
}

start();
