// Multi-page build of the svckg browser UI. Pages are served by svckg.api.ui at /, /ui/sparql,
// /ui/validate and /graphql; every asset under /static/ (web/dist). Nothing loads from a CDN.
import { resolve } from "node:path";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const src = resolve(import.meta.dirname, "src");

export default defineConfig({
  root: src,
  base: "/static/",
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    rollupOptions: {
      input: {
        viewer: resolve(src, "viewer/index.html"),
        sparql: resolve(src, "sparql/index.html"),
        graphiql: resolve(src, "graphiql/index.html"),
        validate: resolve(src, "validate/index.html"),
        catalogue: resolve(src, "catalogue/index.html"),
        imports: resolve(src, "imports/index.html"),
        classes: resolve(src, "classes/index.html"),
        neighbourhood: resolve(src, "neighbourhood/main.js"),
        site: resolve(src, "site/main.js"),
      },
      // third-party code (YASGUI's eval, React's directives) warns on every build: not ours to fix
      onwarn(warning, warn) {
        if (String(warning.id || warning.loc?.file || "").includes("node_modules")) return;
        warn(warning);
      },
      output: {
        // The resource pages (Jinja templates) include these by a fixed name.
        entryFileNames: (chunk) =>
          ["neighbourhood", "site"].includes(chunk.name) ? `${chunk.name}.js` : "assets/[name]-[hash].js",
      },
    },
  },
});
