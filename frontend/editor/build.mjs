// Dev-time build (`make editor`): two browser bundles, committed under static/vendor/.
import * as esbuild from "esbuild";

const common = {bundle: true, minify: true, format: "iife", target: "es2019", legalComments: "eof"};

// The contrib imports KaTeX itself; the page already has it (static/vendor/katex/katex.min.js).
const pageKatex = {
  name: "page-katex",
  setup(build) {
    build.onResolve({filter: /katex\.mjs$/}, () => ({path: new URL("./katex-global.js", import.meta.url).pathname}));
  },
};

await esbuild.build({...common, entryPoints: ["editor.js"],
                     outfile: "../../static/vendor/codemirror/editor.js"});
await esbuild.build({...common, entryPoints: ["katex-a11y.js"], plugins: [pageKatex],
                     outfile: "../../static/vendor/katex/contrib/render-a11y-string.global.js"});
