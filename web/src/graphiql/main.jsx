// GraphiQL on /graphql (POST), bundled from npm: no CDN, no outside requests.
import "../shared/style.css";
import "graphiql/style.css";
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { getToken, renderNav } from "../shared/api.js";
import { nameEditors } from "../shared/a11y.js";

renderNav("/graphql");
const token = getToken();
const fetcher = createGraphiQLFetcher({
  url: `${location.origin}/graphql`,
  headers: token ? { Authorization: `Bearer ${token}` } : {},
});
const defaultQuery = `# svckg GraphQL: press the run button (or Ctrl-Enter).
{
  __schema { queryType { fields { name description } } }
}
`;
createRoot(document.getElementById("graphiql-root")).render(
  <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />,
);
nameEditors(document.getElementById("graphiql-root"), (field) => {
  if (field.closest(".graphiql-query-editor")) return "GraphQL query";
  if (field.closest(".graphiql-editor-tool")) return "Variables or headers (JSON)";
  if (field.closest(".result-window, .graphiql-response")) return "Response";
  return "GraphiQL editor";
});
// GraphiQL draws each tab as <li role="tab"> holding a <button>: a control inside a control.
// The button becomes the tab, the list item only its container.
new MutationObserver(() => {
  for (const li of document.querySelectorAll("li.graphiql-tab[role=tab]")) {
    const button = li.querySelector("button.graphiql-tab-button");
    if (!button) continue;
    li.setAttribute("role", "presentation");
    button.setAttribute("role", "tab");
    button.setAttribute("aria-selected", li.getAttribute("aria-selected") || "false");
    li.removeAttribute("aria-selected");
  }
}).observe(document.getElementById("graphiql-root"), { childList: true, subtree: true });
