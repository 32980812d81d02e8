/* The page's own KaTeX (static/vendor/katex/katex.min.js), so the bundle below does not
   carry a second copy of it. */
export default window.katex;
