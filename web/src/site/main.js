// The navigation of the server-rendered pages (resource pages, the SPARQL endpoint page):
// the same bar as the built pages, loaded from /static/site.js by base.html.
import { renderNav } from "../shared/api.js";

renderNav(location.pathname);
