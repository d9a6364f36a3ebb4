// Import history: every import and its versions (who, when, source, hash, outcome, flags),
// the diff between two versions of one source, removal with an admin token.
import "../shared/style.css";
import { el, getJSON, getToken, renderNav, setToken } from "../shared/api.js";

renderNav("/ui/imports");
const $ = (id) => document.getElementById(id);
$("admin-token").value = getToken();
$("admin-token").addEventListener("change", () => setToken($("admin-token").value.trim()));
$("token-form").addEventListener("submit", (event) => event.preventDefault());

const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "");

function versionRow(imp, v, first) {
  return el("tr", { class: first ? "import-row" : "version-row", dataset: { id: imp.id, version: String(v.version) } },
    el("td", {}, first ? el("strong", {}, imp.id) : ""),
    el("td", {}, first ? imp.source : ""),
    el("td", {}, `v${v.version}`, v.current ? el("span", { class: "badge" }, "current") : null),
    el("td", {}, el("time", { datetime: v.when }, when(v.when))),
    el("td", {}, v.who),
    el("td", {}, el("code", { title: v.sha256 }, v.sha256.slice(0, 12))),
    el("td", { class: v.outcome.startsWith("violations") ? "sev-Violation" : v.outcome.startsWith("warnings") ? "sev-Warning" : "" }, v.outcome),
    el("td", {}, v.flags.filter((f) => f !== "current").join(", ")),
    el("td", {}, `${v.triples} (+${v.added} −${v.removed})`),
    el("td", {},
      imp.versions.length > 1 ? [
        el("label", { class: "inline" }, el("input", { type: "radio", name: `from-${imp.id}`, value: String(v.version),
          checked: v.version === imp.versions[1]?.version ? true : null, "aria-label": `${imp.id} v${v.version} as the older version` }), " from"),
        el("label", { class: "inline" }, el("input", { type: "radio", name: `to-${imp.id}`, value: String(v.version),
          checked: v.version === imp.versions[0].version ? true : null, "aria-label": `${imp.id} v${v.version} as the newer version` }), " to"),
      ] : null,
      first && imp.versions.length > 1 ? el("button", { type: "button", class: "show-diff", onclick: () => showDiff(imp.id) }, "Diff") : null,
      first && imp.current ? el("button", { type: "button", class: "remove", onclick: () => remove(imp.id) }, "Remove") : null));
}

async function load() {
  let data;
  try {
    data = await getJSON("/api/ui/imports");
  } catch (err) {
    $("imports-status").textContent = err.message;
    $("imports-status").className = "error";
    return;
  }
  document.querySelector("#imports-table tbody").replaceChildren(
    ...data.imports.flatMap((imp) => imp.versions.map((v, i) => versionRow(imp, v, i === 0))));
  $("imports-status").textContent = `${data.imports.length} imports, `
    + `${data.imports.reduce((n, i) => n + i.versions.length, 0)} versions.`;
}

async function showDiff(id) {
  const pick = (name) => document.querySelector(`input[name="${name}-${CSS.escape(id)}"]:checked`)?.value;
  const from = pick("from");
  const to = pick("to");
  const body = $("diff-body");
  $("diff").hidden = false;
  try {
    const d = await getJSON(`/api/ui/imports/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`);
    const lines = (items, sign, cls) => items.map((t) => el("li", { class: cls }, `${sign} ${t}`));
    body.replaceChildren(
      el("p", {}, `${id}: v${d.from.version} → v${d.to.version}: ${d.added.length} added, ${d.removed.length} removed`
        + (d.truncated ? " (a step was truncated: the diff is incomplete)" : "")),
      el("ul", { class: "plain diff-lines", "aria-label": "Changed triples" },
        lines(d.removed, "−", "removed"), lines(d.added, "+", "added")));
  } catch (err) {
    body.replaceChildren(el("p", { class: "error" }, err.message));
  }
  $("diff").scrollIntoView({ block: "nearest" });
}

async function remove(id) {
  const token = $("admin-token").value.trim();
  if (!token) {
    $("imports-status").textContent = "Enter an admin token to remove an import.";
    $("imports-status").className = "error";
    $("admin-token").focus();
    return;
  }
  if (!window.confirm(`Remove import ${id}? Its data is dropped; its history stays.`)) return;
  try {
    await getJSON(`/api/imports/${encodeURIComponent(id)}`, {
      method: "DELETE", headers: { Accept: "application/json", Authorization: `Bearer ${token}` } });
    $("imports-status").className = "";
    await load();
    $("imports-status").textContent = `Removed ${id}. ` + $("imports-status").textContent;
  } catch (err) {
    $("imports-status").textContent = `Could not remove ${id}: ${err.message}`;
    $("imports-status").className = "error";
  }
}

load();
