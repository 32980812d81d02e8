/* The exercise editor: the program and Mermaid fields become code editors (CodeMirror,
   static/vendor/codemirror/editor.js) with line numbers and colours; the preview sits
   beside them on a wide screen. After a pause in typing the source is POSTed to the
   admin's preview endpoint, which answers with the graph, the table, the Mermaid export
   and three sample variants, or with an error that is shown at its line: underlined, a
   mark in the gutter, the message on hover and right below the field.
   Without the editor bundle the plain textareas work the same way (the link selects the
   line). */
(function () {
  "use strict";

  var DELAY = 400;

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

  function labelText(area) {
    var label = document.querySelector("label[for='" + area.id + "']");
    return label ? label.textContent.replace(/:\s*$/, "").trim() : area.name;
  }

  /* A field's own message line, right below it, that the editor names as its description. */
  function messageFor(area) {
    var message = document.createElement("p");
    message.className = "editor-message errornote";
    message.id = area.id + "-message";
    message.hidden = true;
    return message;
  }

  /* On a wide screen the preview goes beside the program and the diagram. */
  function placeBeside(box, rows) {
    if (!rows.length) return;
    var split = document.createElement("div");
    split.className = "editor-split";
    var fields = document.createElement("div");
    fields.className = "editor-split-fields";
    rows[0].parentNode.insertBefore(split, rows[0]);
    rows.forEach(function (row) { fields.appendChild(row); });
    split.appendChild(fields);
    split.appendChild(box);
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
    var variants = box.querySelector(".preview-variants");
    var exported = box.querySelector(".mermaid-export");
    var timer = null;
    var latest = 0;
    var fields = {program: {area: program}, mermaid: mermaid ? {area: mermaid} : null};

    placeBeside(box, [program, mermaid].filter(Boolean).map(function (area) {
      return area.closest(".form-row");
    }).filter(Boolean));

    Object.keys(fields).forEach(function (name) {
      var field = fields[name];
      if (!field) return;
      field.message = messageFor(field.area);
      if (window.BackpropEditor) {
        field.editor = window.BackpropEditor.attach(field.area, {
          language: name, label: labelText(field.area), describedBy: field.message.id,
          onChange: schedule
        });
        // One block beside the label: the editor with its message under it.
        var wrap = document.createElement("div");
        wrap.className = "editor-wrap";
        field.editor.view.dom.parentNode.insertBefore(wrap, field.editor.view.dom);
        wrap.appendChild(field.editor.view.dom);
        wrap.appendChild(field.message);
      } else {
        field.area.setAttribute("aria-describedby", field.message.id);
        field.area.parentNode.insertBefore(field.message, field.area.nextSibling);
        field.area.addEventListener("input", schedule);
      }
    });

    function fieldFor(name) { return fields[name] || fields.program; }

    function clearErrors() {
      Object.keys(fields).forEach(function (name) {
        var field = fields[name];
        if (!field) return;
        field.message.hidden = true;
        field.message.textContent = "";
        field.area.classList.remove("has-program-error");
        if (field.editor) field.editor.clearError();
      });
    }

    function showError(data) {
      var field = fieldFor(data.field);
      errorText.textContent = data.error;
      error.hidden = false;
      gotoLink.hidden = !data.line;
      gotoLink.dataset.line = data.line || "";
      gotoLink.dataset.field = data.field || "program";
      field.message.textContent = data.error;
      field.message.hidden = false;
      if (field.editor) field.editor.showError(data.line, data.error);
      else field.area.classList.add("has-program-error");
      status.textContent = "";
    }

    function show(data) {
      clearErrors();
      if (data.error) { showError(data); return; }
      error.hidden = true;
      table.innerHTML = data.table_html;
      exported.textContent = data.mermaid;
      if (variants && typeof data.variants_html === "string") variants.innerHTML = data.variants_html;
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
      var granularity = document.getElementById("id_granularity");
      if (granularity) body.append("granularity", granularity.value);
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
      timer = setTimeout(refresh, DELAY);
    }

    function goToLine(name, line) {
      var field = fieldFor(name);
      if (field.editor) field.editor.focusLine(line);
      else selectLine(field.area, line);
    }

    gotoLink.addEventListener("click", function (event) {
      event.preventDefault();
      goToLine(gotoLink.dataset.field, parseInt(gotoLink.dataset.line, 10));
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
    var granularityField = document.getElementById("id_granularity");
    if (granularityField) granularityField.addEventListener("change", refresh);
    var typed = program.value.trim() || (mermaid && mermaid.value.trim());
    if (typed && (box.dataset.errorLine || !box.dataset.rendered)) refresh();
    if (box.dataset.errorLine) goToLine("program", parseInt(box.dataset.errorLine, 10));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
