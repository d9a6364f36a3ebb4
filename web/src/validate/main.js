// Validation page: dry-run an upload through /api/imports, show the report grouped by shape and
// element with source locations, and import it when it conforms and the user has a token.
import "../shared/style.css";
import { describeError, el, getToken, renderNav, setToken } from "../shared/api.js";

renderNav("/ui/validate");
const $ = (id) => document.getElementById(id);
const form = $("upload-form");
const status = $("validate-status");
$("token").value = getToken();
let validated = null; // key of the chosen files once they conformed
let validatedWarnings = 0;

function say(text, isError = false) {
  status.textContent = text;
  status.className = isError ? "error" : "";
}

/** POST the chosen files: to /api/ui/validate (dry run, writes nothing) or /api/imports. */
async function send(dryRun) {
  const files = [...$("file").files];
  if (!files.length) { say("Choose a file first.", true); return null; }
  const token = $("token").value.trim();
  setToken(token);
  const body = new FormData();
  for (const file of files) body.append("file", file, file.name);
  if ($("profile").value) body.append("profile", $("profile").value);
  if (!dryRun && $("fail-on-warning").checked) body.append("fail_on", "warning");
  const params = new URLSearchParams();
  if ($("format").value) params.set("format", $("format").value);
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const url = dryRun ? "/api/ui/validate" : "/api/imports";
  const response = await fetch(`${url}?${params}`, { method: "POST", body, headers });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { response, json, text, files };
}

/** A key naming the chosen files, to check that the import is what was validated. */
function chosenKey(files) {
  return files.map((f) => `${f.name}:${f.size}:${f.lastModified}`).join("|");
}

/** The validation report inside an answer: {report: {...}}, {detail: {report}} or the report. */
function findReport(json) {
  if (!json || typeof json !== "object") return null;
  for (const candidate of [json.report, json.validation, json.detail && json.detail.report, json]) {
    if (candidate && Array.isArray(candidate.results)) return candidate;
  }
  return null;
}

function locationText(loc) {
  if (!loc) return "";
  const parts = [];
  if (loc.file) parts.push(loc.file);
  if (loc.row !== null && loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.line !== null && loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.column !== null && loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.element_id) parts.push(`element ${loc.element_id}${loc.element_name ? ` '${loc.element_name}'` : ""}`);
  return parts.join(", ");
}

function shortName(iri) {
  if (!iri) return "";
  const m = /[#/]([^#/]+)$/.exec(iri);
  return m ? m[1] : iri;
}

const FIRST_ROWS = 20;
/** Rows shown per shape before "Show all" (a report can hold thousands of results). */

function renderReport(report) {
  const target = $("report");
  target.replaceChildren();
  if (!report) return;
  const results = report.results || [];
  const violations = results.filter((r) => r.severity === "Violation").length;
  const warnings = results.filter((r) => r.severity === "Warning").length;
  target.append(el("h2", {}, report.conforms ? "The file conforms" : "The file does not conform"),
    el("p", {}, `${violations} violation(s), ${warnings} warning(s), ${results.length} result(s).`));
  const byShape = new Map();
  for (const r of results) {
    const key = r.source_shape || "(no shape)";
    if (!byShape.has(key)) byShape.set(key, []);
    byShape.get(key).push(r);
  }
  // summary first: counts by shape and severity, like a linter's statistics
  const summary = el("table", { class: "report", "aria-label": "Results by shape" },
    el("thead", {}, el("tr", {}, ["Shape", "Severity", "Results"]
      .map((h) => el("th", { scope: "col" }, h)))));
  const sbody = el("tbody");
  for (const [shape, items] of byShape) {
    sbody.append(el("tr", {}, el("td", {}, shortName(shape)),
      el("td", { class: `sev-${items[0].severity}` }, items[0].severity),
      el("td", {}, String(items.length))));
  }
  summary.append(sbody);
  target.append(summary);
  for (const [shape, items] of byShape) target.append(renderGroup(shape, items, FIRST_ROWS));
}

/** One shape's results: the first ``limit`` (null: all) and a button for the rest. */
function renderGroup(shape, items, limit) {
  const shown = limit === null ? items : items.slice(0, limit);
  const byElement = new Map();
  for (const r of shown) {
    if (!byElement.has(r.focus_node)) byElement.set(r.focus_node, []);
    byElement.get(r.focus_node).push(r);
  }
  const severity = items[0].severity;
  const group = el("section", { class: "report-group", "aria-label": `Shape ${shortName(shape)}` },
    el("h3", {}, el("span", { class: `sev-${severity}` }, severity), ` ${shortName(shape)} `,
      el("span", { class: "muted" }, `(${items.length})`)));
  const table = el("table", { class: "report" },
    el("thead", {}, el("tr", {}, ["Element", "Where in the file", "Path", "Value", "Message"]
      .map((h) => el("th", { scope: "col" }, h)))));
  const tbody = el("tbody");
  for (const [focus, rows] of byElement) {
    rows.forEach((r, i) => tbody.append(el("tr", { class: "result", dataset: { severity: r.severity } },
      // the element is in the upload, not (yet) in the store: name it, no link
      i === 0 ? el("td", { rowspan: String(rows.length), title: focus },
        (r.location && r.location.element_name) || shortName(focus)) : null,
      el("td", {}, locationText(r.location)),
      el("td", {}, shortName(r.path || "")),
      el("td", {}, r.value ?? ""),
      el("td", { class: `sev-${r.severity}` }, r.message))));
  }
  table.append(tbody);
  group.append(table);
  if (shown.length < items.length) {
    const more = el("button", { type: "button" },
      `Show all ${items.length} (${items.length - shown.length} more)`);
    more.addEventListener("click", () => group.replaceWith(renderGroup(shape, items, null)));
    group.append(more);
  }
  return group;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  validated = null;
  $("commit").disabled = true;
  say("Validating…");
  let answer;
  try {
    answer = await send(true);
  } catch (err) {
    say(`The server could not be reached: ${err.message}`, true);
    return;
  }
  if (!answer) return;
  const { response, json, text, files } = answer;
  const names = files.map((f) => f.name).join(", ");
  const report = findReport(json);
  renderReport(report);
  if (report && report.conforms) {
    validated = chosenKey(files);
    validatedWarnings = (report.results || []).filter((r) => r.severity === "Warning").length;
    updateCommit();
    if (!$("token").value.trim()) say(`${names} conforms. Enter an editor token to import it.`);
    else if (validatedWarnings && $("fail-on-warning").checked) {
      say(`${names} conforms with ${validatedWarnings} warning(s): untick "Refuse the import `
        + "when there are warnings\" to import it (the warnings are recorded).");
    } else if (validatedWarnings) {
      say(`${names} conforms with ${validatedWarnings} warning(s): you can import it; the `
        + "warnings are recorded with the import.");
    } else say(`${names} conforms: you can import it.`);
  } else if (report) {
    say(`${names} does not conform: fix the violations below and validate again.`, true);
  } else if (!response.ok) {
    say(describeError(json, response, text), true);
  } else {
    say(`${names} was checked but the server sent no report.`, true);
  }
});

/** Import is possible once the chosen files conformed, with a token, unless warnings block. */
function updateCommit() {
  $("commit").disabled = !(validated && $("token").value.trim()
    && (!validatedWarnings || !$("fail-on-warning").checked));
}

$("token").addEventListener("input", updateCommit);
$("fail-on-warning").addEventListener("change", updateCommit);
$("profile").addEventListener("change", () => {
  validated = null;
  $("commit").disabled = true;
});

$("file").addEventListener("change", () => {
  validated = null;
  $("commit").disabled = true;
});

$("commit").addEventListener("click", async () => {
  const files = [...$("file").files];
  if (!validated || chosenKey(files) !== validated) {
    say("Validate the chosen files first.", true);
    return;
  }
  say("Importing…");
  const { response, json, text } = await send(false);
  renderReport(findReport(json));
  if (response.ok) {
    const done = (json && json.imports) || [];
    say(`Imported: ${done.map((i) => `${i.source} (${i.status}, ${i.import_id})`).join("; ")}.`);
    $("commit").disabled = true;
    validated = null;
  } else {
    say(describeError(json, response, text), true);
  }
});
