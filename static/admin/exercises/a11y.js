/* Django's two-list widget for tags (SelectFilter2.js) puts aria-label on plain spans,
   which ARIA forbids (axe: aria-prohibited-attr): give those icons the role the label needs. */
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll(".selector .help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  // SelectFilter builds its lists on window load; run after it.
  window.addEventListener("load", function () { setTimeout(fix, 0); });
})();
