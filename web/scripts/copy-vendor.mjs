// Copy the Swagger UI distribution files the API's /docs page loads from /static/swagger-ui/.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const out = resolve(import.meta.dirname, "..", "dist", "swagger-ui");
mkdirSync(out, { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"]) {
  copyFileSync(resolve(swaggerDir, name), resolve(out, name));
}
// the server-rendered pages (base.html) link the one stylesheet by a fixed name
copyFileSync(resolve(import.meta.dirname, "..", "src", "shared", "style.css"),
  resolve(import.meta.dirname, "..", "dist", "style.css"));
writeFileSync(resolve(import.meta.dirname, "..", "dist", ".built"), new Date().toISOString() + "\n");
console.log(`copied swagger-ui assets to ${out}`);
