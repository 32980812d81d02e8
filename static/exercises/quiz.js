/* The item page: drafts kept per attempt, answers sent to the versioned API (the one way
   in for every learner action: /api/v1/attempts/<id>/submissions/, with the session and
   its CSRF token), and step-through mode (one node at a time with the chain written out;
   for local, update and nudge exercises the steps the server planned, config.steps).
   After a graded submission the page itself is read again and its feedback, summary and
   solution swapped in: what a learner may see is decided on the server, in one place. */
(function () {
  "use strict";
  var configElement = document.getElementById("item-config");
  var form = document.getElementById("answer-form");
  if (!configElement || !form || !window.fetch) return;
  var config = JSON.parse(configElement.textContent);
  var graphRoot = form.querySelector("[data-bp-graph]");
  // Local, update and nudge exercises are answered in their own boxes below the graph
  // (.bp-kind-boxes): the drawn graph only shows the data then.
  var kindBoxes = form.querySelector(".bp-kind-boxes");
  var graph = !kindBoxes && window.BackpropGraph && graphRoot ? window.BackpropGraph.get(graphRoot) : null;
  var summary = document.getElementById("feedback");
  var message = document.getElementById("form-message");
  var submitButton = document.getElementById("submit-answers");
  var solution = document.getElementById("solution");
  var draftKey = "bp-draft:" + config.attempt;
  var stepKey = "bp-steps:" + config.attempt;
  var modeKey = "bp-mode:" + config.attempt;
  var PREFIX = "answer-";
  // The page's language: the JavaScript catalogue (/jsi18n/) is loaded before this script.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (whole, key) { return String(values[key]); });
  };
  function words(format, values) { return interpolate(format, values, true); }
  var busy = false;
  var emptyWarned = "";

  function inputFor(name) { return form.querySelector("input[name='" + PREFIX + CSS.escape(name) + "']"); }
  // An answer key as an id part, as kind_page.box_id writes it: "z2/a1" → "z2__a1",
  // "grad:w1" → "grad-w1".
  function boxId(name) { return name.replace(/\//g, "__").replace(/:/g, "-"); }

  /* A box's verdict: the graph's own boxes through graph.js, the kind boxes here. */
  function setStatus(name, status, html) {
    if (graph) { graph.setStatus(name, status, html); return; }
    var row = kindBoxes && kindBoxes.querySelector(".bp-row[data-node='" + CSS.escape(name) + "']");
    if (!row) return;
    row.setAttribute("data-status", status || "");
    var input = inputFor(name);
    if (input) {
      if (status === "invalid") input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    var fb = document.getElementById("fb-" + boxId(name));
    if (fb && html !== undefined) fb.innerHTML = html;
  }
  function focusBox(name) {
    if (graph) graph.focusNode(name);
    else if (inputFor(name)) inputFor(name).focus();
  }
  var order = (graph ? graph.order : []).filter(function (name) { return inputFor(name); });
  if (!order.length) {
    // A step-only box (a gradient on the way, "grad:w1") is never part of a full submission.
    form.querySelectorAll(".bp-field input:not([data-step-only])").forEach(function (input) { order.push(input.name.slice(PREFIX.length)); });
  }
  // Boxes that start read-only: a forward-pass input whose value is given, or a closed quiz.
  var given = {};
  order.forEach(function (name) { if (inputFor(name).readOnly) given[name] = true; });

  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or disabled: the page still works */ }
  }

  function say(text, kind) {
    if (!message) return;
    message.textContent = text || "";
    message.className = "form-message" + (kind ? " form-message-" + kind : "");
  }

  // -- drafts: typed answers survive a reload until they are submitted -------------------------
  function saveDraft() {
    var values = {};
    order.forEach(function (name) { if (!given[name]) values[name] = inputFor(name).value; });
    store(draftKey, {saved: Date.now(), values: values});
  }

  (function restoreDraft() {
    var draft = load(draftKey);
    if (!draft || !draft.values) return;
    order.forEach(function (name) {
      if (!given[name] && typeof draft.values[name] === "string") inputFor(name).value = draft.values[name];
    });
  })();
  form.addEventListener("input", function () { saveDraft(); emptyWarned = ""; });

  // -- sending -----------------------------------------------------------------------------
  var csrfToken = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function post(url, answers, kind) {
    busy = true;
    if (submitButton) submitButton.disabled = true;
    var body = {kind: kind};
    body[config.answersKey || (config.ask === "data" ? "data" : "grads")] = answers;
    return fetch(url, {method: "POST", body: JSON.stringify(body), credentials: "same-origin",
                       headers: {"Accept": "application/json", "Content-Type": "application/json",
                                 "X-CSRFToken": csrfToken}})
      .then(function (response) {
        return response.json().catch(function () {
          return {detail: words(gettext("The server sent an unexpected answer (%(status)s)."), {status: response.status})};
        }).then(function (data) { return {status: response.status, data: data}; });
      })
      .catch(function () {
        return {status: 0, data: {detail: gettext("Could not reach the server. Your answers are kept on this device: try again.")}};
      })
      .then(function (response) {
        busy = false;
        if (submitButton) submitButton.disabled = false;
        return response;
      });
  }

  function typedAnswers() {
    var answers = {};
    order.forEach(function (name) {
      var value = inputFor(name).value.trim();
      if (value) answers[name] = value;
    });
    return answers;
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function verdict(kind, icon, words) {
    var span = element("span", "bp-verdict bp-verdict-" + kind);
    var mark = element("span", "bp-icon", icon);
    mark.setAttribute("aria-hidden", "true");
    span.appendChild(mark);
    span.appendChild(document.createTextNode(" " + words));
    return span;
  }

  /* One node's result from the API, as the page's own template draws it. */
  function feedbackHtml(node) {
    var box = document.createElement("div");
    if (node.valid === false) {
      box.appendChild(verdict("invalid", "!", gettext("Could not read this")));
      var why = (node.error || "").replace(/\s+$/, "");
      if (why && !/[.!?…]$/.test(why)) why += "."; // the message ends its sentence first
      box.appendChild(element("p", "bp-error", why + " " + gettext("This costs nothing: fix it and submit again.")));
    } else if (node.correct === true) {
      box.appendChild(verdict("correct", "✓", gettext("Correct")));
    } else if (node.correct === false) {
      box.appendChild(verdict("wrong", "✗", node.missing ? gettext("No answer") : gettext("Not right")));
      var hint = element("div", "bp-hint");
      if (node.explanation) hint.appendChild(element("p", "bp-explanation", node.explanation));
      if (node.upstream) {
        var around = gettext("This follows from your answer at %(node)s — fix that first.").split("%(node)s");
        var up = element("p", "bp-upstream", around[0]);
        var link = element("a", "", node.upstream);
        link.href = "#answer-" + node.upstream;
        link.setAttribute("data-focus-node", node.upstream);
        up.appendChild(link);
        up.appendChild(document.createTextNode(around[1] || ""));
        hint.appendChild(up);
      }
      if (node.hint) {
        var text = element("p", "bp-hint-text");
        if (node.hint_latex) text.setAttribute("data-latex", node.hint_latex);
        text.appendChild(element("span", "bp-hint-label", gettext("Hint:")));
        text.appendChild(document.createTextNode(" "));
        text.appendChild(element("span", "bp-hint-body", node.hint));
        hint.appendChild(text);
      }
      box.appendChild(hint);
    } else {
      box.appendChild(verdict("received", "•", gettext("Saved")));
    }
    return box.innerHTML;
  }

  function statusOf(node) {
    if (node.valid === false) return "invalid";
    if (node.correct === true) return "correct";
    if (node.correct === false) return "wrong";
    return "received";
  }

  /* The page as the server now renders it: its feedback, summary and solution. */
  function refreshFromPage() {
    return fetch(config.pageUrl, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var status = {};
        var rows = kindBoxes ? "#answer-form .bp-kind-boxes .bp-row[data-node]:not([data-step-only])" : "#answer-form .bp-row[data-node]";
        page.querySelectorAll(rows).forEach(function (row) {
          var name = row.getAttribute("data-node");
          var fb = page.getElementById("fb-" + boxId(name));
          if (!fb) return;
          status[name] = row.getAttribute("data-status") || "";
          setStatus(name, status[name], fb.innerHTML);
        });
        var fresh = page.getElementById("feedback");
        if (fresh) summary.innerHTML = fresh.innerHTML;
        var freshSolution = page.getElementById("solution");
        if (freshSolution && solution && freshSolution.innerHTML.trim() !== solution.innerHTML.trim()) {
          solution.innerHTML = freshSolution.innerHTML;
          window.BackpropGraph.initAll(solution);
        }
        var freshConfig = page.getElementById("item-config");
        var closed = freshConfig ? JSON.parse(freshConfig.textContent).closed : false;
        return {status: status, closed: closed};
      });
  }

  function firstNeedingWork(status) {
    return order.find(function (name) {
      return status[name] === "wrong" || status[name] === "invalid";
    });
  }

  function showInvalid(data) {
    Object.keys(data.errors || {}).forEach(function (name) {
      setStatus(name, "invalid", feedbackHtml({valid: false, error: data.errors[name]}));
    });
    say(data.detail, "warning");
    var first = order.find(function (name) { return (data.errors || {})[name]; }) ||
      Object.keys(data.errors || {}).find(function (name) { return inputFor(name); });
    if (first) focusBox(first);
  }

  function submitAll(fromSteps) {
    var empty = order.filter(function (name) { return !inputFor(name).value.trim(); });
    if (empty.length === order.length) {
      say(gettext("Type at least one answer first."), "warning");
      focusBox(order[0]);
      return;
    }
    if (empty.length && !fromSteps && emptyWarned !== empty.join(" ")) {
      // One accidental Enter should not spend an attempt: ask once, then let it through.
      emptyWarned = empty.join(" ");
      say(words(ngettext(
        "%(count)s box is still empty (%(names)s). Fill it in, or submit again to send as is: an empty box counts as wrong.",
        "%(count)s boxes are still empty (%(names)s). Fill them in, or submit again to send as is: an empty box counts as wrong.",
        empty.length), {count: empty.length, names: empty.join(", ")}), "warning");
      focusBox(empty[0]);
      return;
    }
    emptyWarned = "";
    say(gettext("Checking…"));
    post(config.submitUrl, typedAnswers(), "full").then(function (response) {
      var data = response.data;
      if (response.status === 201) {
        store(draftKey, null);
        refreshFromPage().then(function (page) { showResult(data, page); }, function () {
          say(gettext("Your answers were sent; reload the page to see the feedback."), "warning");
        });
      } else if (response.status === 400 && data.errors) {
        showInvalid(data);
      } else {
        say(data.detail || gettext("Something went wrong; your answers are kept."), "error");
      }
    });
  }

  function showResult(data, page) {
    var note = document.querySelector(".actions-note");
    var left = data.submissions_left;
    if (note && left !== null && left !== undefined) {
      note.textContent = words(ngettext("%(count)s attempt left · an answer that can't be read costs nothing",
                                        "%(count)s attempts left · an answer that can't be read costs nothing",
                                        left), {count: left});
    }
    if (page.closed) {
      if (submitButton) submitButton.hidden = true;
      order.forEach(function (name) { inputFor(name).readOnly = true; });
    }
    var first = firstNeedingWork(page.status || {});
    if (data.score === null) say(gettext("Saved. Results are shown after the due date."));
    else if (first) say(words(gettext("Some boxes need another look: the first is %(name)s."), {name: first}), "warning");
    else say("");
    if (first) focusBox(first);
    else summary.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    if (mode === "step") checkStep();
    else submitAll(false);
  });

  // -- step-through ------------------------------------------------------------------------
  var steps = document.getElementById("steps");
  var chain = steps ? steps.querySelector(".chain") : null;
  var modeButtons = form.querySelectorAll(".mode-button");
  var mode = "all";
  var accepted = load(stepKey) || {};
  var current = null;
  var consumers = {};
  var nodes = graph ? graph.nodes : {};
  Object.keys(nodes).forEach(function (name) {
    nodes[name].inputs.forEach(function (source) {
      consumers[source] = consumers[source] || [];
      if (consumers[source].indexOf(name) < 0) consumers[source].push(name);
    });
  });

  var SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉";
  function pretty(name) {
    var match = /^([A-Za-z]+)_?(\d+)$/.exec(name);
    if (!match) return name;
    return match[1] + match[2].replace(/\d/g, function (d) { return SUBSCRIPT[+d]; });
  }
  function partial(top, bottom) { return "∂" + pretty(top) + "/∂" + pretty(bottom); }

  /* Local, update and nudge: the server's steps (kind_steps.py), each with the key it
     checks (an asked box, or a gradient on the way such as "grad:w1" in a row of its
     own), its formula in the program's names and the numbers it uses. A step without a
     key is known (a nudge's L(x)). */
  var plan = kindBoxes && config.steps ? config.steps : null;
  var planChecks = plan ? plan.filter(function (step) { return step.key; }) : [];
  var stepOnly = planChecks.filter(function (step) { return !step.box && inputFor(step.key); })
    .map(function (step) { return step.key; });
  function stepOf(name) { return planChecks.find(function (step) { return step.key === name; }); }
  function labelOf(name) {
    var step = stepOf(name);
    if (step) return step.label;
    return config.ask === "data" ? pretty(name) : partial(config.output, name);
  }
  // A checked step shows the number the server read, never the text typed (15 + 7*3 is 36).
  function checkedText(value) { return value ? "= " + value + " ✓" : "✓"; }

  function planItem(step) {
    var done = !step.key || accepted[step.key] !== undefined;
    var item = element("li", "chain-step " + (!step.key ? "chain-given chain-done" : done ? "chain-done" : "chain-current"));
    item.appendChild(element("span", "chain-formula", step.formula));
    var known = step.known.map(function (entry) {
      var value = entry.key ? accepted[entry.key] : entry.value;
      return value ? entry.label + " = " + value : null;
    }).filter(Boolean);
    if (known.length) item.appendChild(element("span", "chain-known", words(gettext("with %(values)s"), {values: known.join(", ")})));
    item.appendChild(element("span", "chain-value", !step.key ? "= " + step.value + " (" + gettext("from the graph") + ")"
                                                     : done ? checkedText(accepted[step.key]) : "= ?"));
    return item;
  }

  function renderPlan() {
    var reached = false;
    plan.forEach(function (step) {
      if (reached) return;
      chain.appendChild(planItem(step));
      if (step.key && step.key === current) reached = true; // the steps after it wait
    });
  }

  /* ∂L/∂n written as a chain: one product along a single path to the output (the notes'
     ∂L/∂w₁ = ∂L/∂a₂ · ∂a₂/∂z₂ · …), a sum over the consumers where the path branches. */
  function chainText(name) {
    var out = config.output;
    if (name === out) return {formula: partial(out, out) + " " + gettext("(the output itself)"), known: []};
    var mine = consumers[name] || [];
    if (mine.length > 1) {
      return {formula: partial(out, name) + " = " + mine.map(function (c) {
        return partial(out, c) + "·" + partial(c, name);
      }).join(" + "), known: mine};
    }
    var path = [name];
    while (path[path.length - 1] !== out) {
      var next = consumers[path[path.length - 1]] || [];
      if (next.length !== 1) break;
      path.push(next[0]);
    }
    if (path[path.length - 1] !== out) {
      return {formula: partial(out, name) + " = " + partial(out, mine[0]) + " · " + partial(mine[0], name),
              known: mine};
    }
    if (path.length === 2) {
      // Straight into the output: the upstream is ∂L/∂L = 1, and ∂L/∂x twice would say nothing.
      var computed = (nodes[out].expression || "").replace(/[A-Za-z_][A-Za-z0-9_]*/g, pretty);
      return {formula: partial(out, name) + " = 1 · ∂(" + computed + ")/∂" + pretty(name), known: []};
    }
    var factors = [];
    for (var i = path.length - 1; i > 0; i--) factors.push(partial(path[i], path[i - 1]));
    return {formula: partial(out, name) + " = " + factors.join(" · "), known: mine};
  }

  function forwardText(name) {
    var node = nodes[name];
    var known = node.inputs.filter(function (source) { return nodes[source].kind !== "const"; });
    return {formula: pretty(name) + " = " + (node.expression || "?"), known: known};
  }

  function knownValue(name) {
    if (accepted[name] !== undefined) return accepted[name];
    if (nodes[name] && nodes[name].kind === "input" && config.ask === "data") return nodes[name].data;
    return null;
  }

  function renderChain() {
    if (!chain) return;
    chain.innerHTML = "";
    if (plan) { renderPlan(); return; }
    order.forEach(function (name) {
      var done = accepted[name] !== undefined;
      if (!done && name !== current) return;
      if (given[name] && config.ask === "data") return;
      var text = config.ask === "data" ? forwardText(name) : chainText(name);
      var item = document.createElement("li");
      item.className = "chain-step" + (done ? " chain-done" : " chain-current");
      var formula = document.createElement("span");
      formula.className = "chain-formula";
      formula.textContent = text.formula;
      item.appendChild(formula);
      var known = text.known.map(function (source) {
        var value = knownValue(source);
        var label = config.ask === "data" ? pretty(source) : partial(config.output, source);
        return value === null ? null : label + " = " + value;
      }).filter(Boolean);
      if (known.length) {
        var using = document.createElement("span");
        using.className = "chain-known";
        using.textContent = words(gettext("with %(values)s"), {values: known.join(", ")});
        item.appendChild(using);
      }
      var result = document.createElement("span");
      result.className = "chain-value";
      result.textContent = done ? checkedText(accepted[name]) : "= ?";
      item.appendChild(result);
      chain.appendChild(item);
    });
  }

  function lockInputs() {
    order.concat(stepOnly).forEach(function (name) {
      var input = inputFor(name);
      var isCurrent = mode === "step" && name === current;
      input.readOnly = given[name] || (mode === "step" && !isCurrent);
      var box = graph && graph.boxes[name];
      if (box) box.classList.toggle("bp-current", isCurrent);
    });
  }

  function advance(justChecked) {
    current = plan ? (planChecks.find(function (step) { return accepted[step.key] === undefined; }) || {}).key || null
                   : order.find(function (name) { return accepted[name] === undefined && !given[name]; }) || null;
    lockInputs();
    renderChain();
    if (!current) {
      if (submitButton) submitButton.textContent = gettext("Submit answers");
      if (!justChecked) return;
      say(plan ? gettext("Every step checked: submitting your answers…")
               : gettext("Every node checked: submitting your answers…"));
      store(stepKey, null); // a later visit starts the walk afresh
      submitAll(true);
      return;
    }
    if (submitButton) submitButton.textContent = words(gettext("Check %(what)s"), {what: labelOf(current)});
    if (graph) graph.focusNode(current);
    else if (plan) focusBox(current);
  }

  function checkStep() {
    if (!current) { submitAll(true); return; }
    var name = current, input = inputFor(name);
    var label = plan ? labelOf(name) : name;
    if (!input.value.trim()) {
      say(config.ask === "data" && !plan ? words(gettext("Type the value of %(name)s first."), {name: name})
                                         : words(gettext("Type %(what)s first."), {what: labelOf(name)}), "warning");
      input.focus();
      return;
    }
    var answers = {};
    answers[name] = input.value.trim();
    say(words(gettext("Checking %(name)s…"), {name: label}));
    post(config.submitUrl, answers, "step").then(function (response) {
      var data = response.data;
      if (response.status === 201) {
        var node = (data.nodes || {})[name] || {};
        var status = statusOf(node);
        setStatus(name, status, feedbackHtml(node));
        if (status === "correct") {
          say(words(gettext("%(name)s is right."), {name: label}), "ok");
          // The number that was read, never the text typed (15 + 7*3 is shown as 36).
          accepted[name] = typeof node.value === "number" ? String(Number(node.value.toPrecision(6))) : "";
          store(stepKey, accepted);
          advance(true);
        } else {
          say(words(gettext("%(name)s is not right yet: read the hint and try again."), {name: label}), "warning");
          focusBox(name);
        }
      } else if (response.status === 400 && data.errors) {
        showInvalid(data);
      } else {
        say(data.detail || gettext("Something went wrong."), "error");
      }
    });
  }

  function setMode(next) {
    mode = next === "step" && config.stepAllowed ? "step" : "all";
    store(modeKey, mode);
    modeButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-mode") === mode ? "true" : "false");
    });
    if (steps) steps.hidden = mode !== "step";
    if (kindBoxes) {
      kindBoxes.querySelectorAll(".bp-row[data-step-only]").forEach(function (row) { row.hidden = mode !== "step"; });
    }
    say("");
    if (mode === "step") {
      order.concat(stepOnly).forEach(function (name) {
        if (accepted[name]) inputFor(name).value = accepted[name];
      });
      advance();
    } else {
      current = null;
      lockInputs();
      if (submitButton) submitButton.textContent = gettext("Submit answers");
    }
  }

  if (config.stepAllowed && modeButtons.length) {
    form.querySelector(".mode-bar").hidden = false;
    modeButtons.forEach(function (button) {
      button.addEventListener("click", function () { setMode(button.getAttribute("data-mode")); });
    });
    if (load(modeKey) === "step") {
      var start = function () { setMode("step"); };
      if (graph) graph.ready.then(start); else start();
    }
  }
})();
