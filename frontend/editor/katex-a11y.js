/* KaTeX's render-a11y-string ("d L over d x equals …" for a formula) as a browser global:
   its own dist build sets none. Built into static/vendor/katex/contrib/render-a11y-string.global.js
   by `make editor`; graph.js loads it for the spoken labels of the hints' maths. */
import renderA11yString from "./node_modules/katex/dist/contrib/render-a11y-string.mjs";

window.renderA11yString = renderA11yString;
