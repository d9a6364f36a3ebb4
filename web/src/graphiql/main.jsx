// GraphiQL on /graphql (POST), bundled from npm: no CDN, no outside requests.
import "../shared/style.css";
import "graphiql/style.css";
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { getToken, renderNav } from "../shared/api.js";

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
