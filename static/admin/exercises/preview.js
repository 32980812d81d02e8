/* Live preview on the exercise change page: after a pause in typing, POST the program to
   the admin's preview endpoint and show the graph, table and Mermaid, or the error with a
   link that selects the offending line. */
(function () {
  "use strict";

  function lineRange(text, line) {
    var start = 0;
    for (var n = 1; n < line; n++) {
      var next = text.indexOf("\n", start);
      if (next === -1) return null;
      start = next + 1;
    }
    var end = text.indexOf("\n", start);
    return [start, end === -1 ? text.length : end];
  }

  function selectLine(area, line) {
    var range = area && line ? lineRange(area.value, line) : null;
    if (!range) return;
    area.focus();
    area.setSelectionRange(range[0], range[1]);
    var lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 16;
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function init() {
    var box = document.getElementById("exercise-preview");
    var program = document.getElementById("id_program");
    if (!box || !program) return;
    var mermaid = document.getElementById("id_mermaid");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var error = box.querySelector(".preview-error");
    var errorText = box.querySelector(".preview-error-text");
    var gotoLink = box.querySelector(".preview-goto");
    var status = box.querySelector(".preview-status");
    var graph = box.querySelector(".preview-graph");
    var table = box.querySelector(".preview-table");
    var exported = box.querySelector(".mermaid-export");
    var timer = null;
    var latest = 0;

    function areaFor(field) { return field === "mermaid" && mermaid ? mermaid : program; }

    function showError(data) {
      errorText.textContent = data.error;
      error.hidden = false;
      gotoLink.hidden = !data.line;
      gotoLink.dataset.line = data.line || "";
      gotoLink.dataset.field = data.field || "program";
      areaFor(data.field).classList.add("has-program-error");
      status.textContent = "";
    }

    function show(data) {
      program.classList.remove("has-program-error");
      if (mermaid) mermaid.classList.remove("has-program-error");
      if (data.error) { showError(data); return; }
      error.hidden = true;
      table.innerHTML = data.table_html;
      exported.textContent = data.mermaid;
      if (typeof data.graph_html === "string") {
        graph.innerHTML = data.graph_html;
        // The learners' graph script can redraw on this event (scripts in innerHTML don't run).
        document.dispatchEvent(new CustomEvent("graph:updated", {detail: {element: graph, graph: data.graph}}));
      }
      status.textContent = "up to date";
    }

    function refresh() {
      var mine = ++latest;
      var body = new FormData();
      body.append("program", program.value);
      body.append("mermaid", mermaid ? mermaid.value : "");
      status.textContent = "updating…";
      fetch(box.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": token ? token.value : ""}
      }).then(function (response) { return response.json(); })
        .then(function (data) { if (mine === latest) show(data); })
        .catch(function () { if (mine === latest) status.textContent = "preview unavailable"; });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    }

    program.addEventListener("input", schedule);
    if (mermaid) mermaid.addEventListener("input", schedule);

    gotoLink.addEventListener("click", function (event) {
      event.preventDefault();
      selectLine(areaFor(gotoLink.dataset.field), parseInt(gotoLink.dataset.line, 10));
    });

    box.querySelectorAll(".preview-copy").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = document.querySelector(button.dataset.copy).textContent;
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
        }
      });
    });

    // A form sent back with errors shows what was typed: preview that, not the saved one.
    var typed = program.value.trim() || (mermaid && mermaid.value.trim());
    if (typed && (box.dataset.errorLine || !box.dataset.rendered)) refresh();
    if (box.dataset.errorLine) selectLine(program, parseInt(box.dataset.errorLine, 10));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
