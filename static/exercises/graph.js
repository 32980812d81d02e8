/* Draws a computational graph like the notes' flowcharts: value nodes as boxes (name, data,
   the answer box), op nodes as circles with their symbol (or, at line granularity, one
   rounded shape per program line labelled with its expression), constants marked
   "(const)". Layout: graph-layout.js (ELK in a web worker); zoom and pan:
   graph-viewport.js. On load the drawing is fitted to the width and scrolled so the
   output's box, where the learner starts, is in view; a wide graph that would have to
   shrink too far is stacked instead, the output on top (where the backward pass starts),
   or, if that is still too wide, wrapped into rows.

   Progressive enhancement of templates/exercises/_graph.html: the server renders a table
   of the nodes with the inputs; this script draws the picture and moves those very inputs
   into the boxes (one form, one set of fields), in the table's working order, so Tab goes
   output first. "Table view" moves them back. Verdicts are text (✓/✗ with a name for
   screen readers) and are announced through the graph's polite live region.

   window.BackpropGraph: init(root), initAll(scope), get(root), renderMath(element). */
(function () {
  "use strict";
  if (window.BackpropGraph) return; // the partial may appear more than once on a page

  var SVG_NS = "http://www.w3.org/2000/svg";
  var VIEW_KEY = "bp-graph-view";
  var SWITCH_BELOW = 0.75; // fitting left-to-right would shrink more than this: try top-down
  var WRAP_ASPECT = 0.6; // then, if stacking does not fit either: rows, width:height about 3:5
  var ICONS = {correct: "✓", wrong: "✗", invalid: "!", received: "•"};
  var layouts = {}; // the same graph at the same width is laid out once per page
  var counter = 0;
  var a11ySource = null, a11yLoading = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function storedView() {
    try { return localStorage.getItem(VIEW_KEY); } catch (e) { return null; }
  }

  function storeView(view) {
    try { localStorage.setItem(VIEW_KEY, view); } catch (e) { /* private mode: fine */ }
  }

  /* KaTeX's MathML is missed by mobile screen readers: each formula also gets a spoken
     label from KaTeX's render-a11y-string ("d L over d x equals …"). */
  function labelMath(scope) {
    var formulas = scope.querySelectorAll(".katex:not([aria-label])");
    if (!formulas.length) return;
    if (!window.renderA11yString) {
      if (!a11ySource) return;
      if (!a11yLoading) {
        a11yLoading = new Promise(function (resolve) {
          var script = document.createElement("script");
          script.src = a11ySource;
          script.onload = script.onerror = resolve;
          document.head.appendChild(script);
        });
      }
      a11yLoading.then(function () { if (window.renderA11yString) labelMath(scope); });
      return;
    }
    formulas.forEach(function (formula) {
      var tex = formula.querySelector("annotation[encoding='application/x-tex']");
      if (!tex) return;
      var spoken;
      try { spoken = window.renderA11yString(tex.textContent); } catch (e) { spoken = tex.textContent; }
      formula.setAttribute("role", "img");
      formula.setAttribute("aria-label", spoken);
    });
  }

  /* Hints come as prose with \( … \) maths; KaTeX (when the page loads it) renders them. */
  function renderMath(scope) {
    if (!scope || !window.renderMathInElement) return;
    scope.querySelectorAll("[data-latex]").forEach(function (hint) {
      var body = hint.querySelector(".bp-hint-body") || hint;
      body.textContent = hint.getAttribute("data-latex");
      hint.removeAttribute("data-latex");
      try {
        window.renderMathInElement(body, {
          delimiters: [{left: "\\(", right: "\\)", display: false},
                       {left: "\\[", right: "\\]", display: true}],
          throwOnError: false
        });
      } catch (e) { /* the plain text stays readable */ }
    });
    labelMath(scope);
  }

  /* An orthogonal polyline with softly rounded corners. */
  function pathFor(points) {
    var d = "M" + points[0].x + " " + points[0].y;
    for (var i = 1; i < points.length - 1; i++) {
      var prev = points[i - 1], here = points[i], next = points[i + 1];
      var inLen = Math.hypot(here.x - prev.x, here.y - prev.y);
      var outLen = Math.hypot(next.x - here.x, next.y - here.y);
      var r = Math.min(6, inLen / 2, outLen / 2);
      if (r < 0.5) { d += " L" + here.x + " " + here.y; continue; }
      var ax = here.x - (here.x - prev.x) / inLen * r, ay = here.y - (here.y - prev.y) / inLen * r;
      var bx = here.x + (next.x - here.x) / outLen * r, by = here.y + (next.y - here.y) / outLen * r;
      d += " L" + ax + " " + ay + " Q" + here.x + " " + here.y + " " + bx + " " + by;
    }
    var last = points[points.length - 1];
    return d + " L" + last.x + " " + last.y;
  }

  /* ELK ends edges on a shape's bounding box; pull the ends onto the round part of a circle
     or a pill (a rounded rectangle whose ends are half circles). */
  function onShape(point, shape, vertical) {
    var r = Math.min(shape.width, shape.height) / 2;
    if (vertical) {
      var cxV = Math.max(shape.x + r, Math.min(shape.x + shape.width - r, point.x));
      var dx = Math.max(-r + 1, Math.min(r - 1, point.x - cxV));
      var side = point.y < shape.y + shape.height / 2 ? -1 : 1;
      return {x: point.x, y: shape.y + shape.height / 2 + side * (shape.height / 2 - r + Math.sqrt(r * r - dx * dx))};
    }
    var cy = shape.y + shape.height / 2;
    var dy = Math.max(-r + 1, Math.min(r - 1, point.y - cy));
    var left = point.x < shape.x + shape.width / 2;
    var cx = left ? shape.x + r : shape.x + shape.width - r;
    return {x: cx + (left ? -1 : 1) * Math.sqrt(r * r - dy * dy), y: point.y};
  }

  var measureContext = null;
  function textWidth(text, font) {
    if (!measureContext) measureContext = document.createElement("canvas").getContext("2d");
    measureContext.font = font;
    return measureContext.measureText(text).width;
  }

  function Graph(root) {
    this.root = root;
    var json = root.querySelector("script[type='application/json']");
    this.data = JSON.parse(json.textContent);
    this.nodes = {};
    this.data.nodes.forEach(function (node) { this.nodes[node.name] = node; }, this);
    this.order = this.data.order;
    this.canvas = root.querySelector(".bp-canvas");
    this.tableWrap = root.querySelector(".bp-table-wrap");
    this.toolbar = root.querySelector(".bp-toolbar");
    this.toggle = root.querySelector(".bp-view-toggle");
    this.zoomBar = root.querySelector(".bp-zoom");
    this.live = root.querySelector(".bp-live");
    this.words = root.dataset;
    a11ySource = a11ySource || root.getAttribute("data-katex-a11y-src");
    this.rows = {};
    root.querySelectorAll("tr.bp-row").forEach(function (row) {
      this.rows[row.getAttribute("data-node")] = row;
    }, this);
    this.boxes = {};
    this.laidOut = null;
    this.pending = {};
    this.id = ++counter;
    this.build();
    this.bind();
    renderMath(root);
    var self = this;
    this.ready = new Promise(function (resolve) { self._resolveReady = resolve; });
    this.setView(storedView() === "table" ? "table" : "graph");
  }

  Graph.prototype.word = function (key, fallback) {
    return this.words["word" + key.charAt(0).toUpperCase() + key.slice(1)] || fallback;
  };

  Graph.prototype.field = function (name) {
    return this.root.querySelector(".bp-field[data-node='" + name + "']");
  };

  Graph.prototype.input = function (name) {
    var field = this.field(name);
    return field ? field.querySelector("input") : null;
  };

  Graph.prototype.build = function () {
    this.sizer = el("div", "bp-sizer");
    this.stage = el("div", "bp-stage");
    this.svg = svgEl("svg", {"class": "bp-svg", "aria-hidden": "true", focusable: "false"});
    var defs = svgEl("defs");
    var marker = svgEl("marker", {id: "bp-arrow-" + this.id, viewBox: "0 0 10 10", refX: "9",
                                  refY: "5", markerWidth: "8", markerHeight: "8",
                                  orient: "auto-start-reverse"});
    marker.appendChild(svgEl("path", {d: "M0,0 L10,5 L0,10 z", "class": "bp-arrowhead"}));
    defs.appendChild(marker);
    this.svg.appendChild(defs);
    this.stage.appendChild(this.svg);
    // DOM order = working order, so Tab walks the backward pass without tabindex tricks.
    this.order.forEach(function (name) {
      var box = this.makeBox(this.nodes[name]);
      this.boxes[name] = box;
      this.stage.appendChild(box);
    }, this);
    this.pop = el("div", "bp-pop");
    this.pop.hidden = true;
    this.stage.appendChild(this.pop);
    this.sizer.appendChild(this.stage);
    this.canvas.appendChild(this.sizer);
    this.canvas.tabIndex = 0; // the keyboard's way to zoom and pan
    this.canvas.setAttribute("role", "group");
    var self = this;
    this.viewport = window.BackpropViewport(this.canvas, this.sizer, this.stage, {
      onChange: function () { // a zoom: the hint follows its box
        if (!self.pop.hidden) self.showHint(self.pop.getAttribute("data-for"));
      },
      onFit: function () { self.revealOutput(); }
    });
  };

  Graph.prototype.makeBox = function (node) {
    var box = el("div", "bp-node bp-kind-" + node.kind);
    box.setAttribute("data-node", node.name);
    if (node.name === this.data.output) box.classList.add("bp-output");
    var title = el("div", "bp-node-name", node.label);
    if (node.kind === "const") title.appendChild(el("span", "bp-const", " " + this.word("const", "(const)")));
    box.appendChild(title);
    var valueAsked = node.asked && this.data.ask === "data" && node.kind !== "input";
    var plainConst = node.kind === "const" && node.label !== node.name;
    if (!valueAsked && !plainConst) box.appendChild(el("div", "bp-node-line", "data: " + node.data));
    if (node.asked) {
      var line = el("div", "bp-node-line bp-node-answer");
      line.appendChild(el("span", "bp-node-key", this.data.ask === "data" ? "data:" : "grad:"));
      line.lastChild.setAttribute("aria-hidden", "true");
      line.appendChild(el("span", "bp-slot"));
      line.appendChild(el("span", "bp-node-status"));
      box.appendChild(line);
    } else if (node.grad !== null && node.grad !== undefined) {
      box.appendChild(el("div", "bp-node-line bp-node-grad", "grad: " + node.grad));
    }
    this.showStatus(box, node.status);
    return box;
  };

  /* The verdict in the box: the mark as text, with its word as the accessible name. */
  Graph.prototype.showStatus = function (box, status) {
    if (status) box.setAttribute("data-status", status);
    else box.removeAttribute("data-status");
    var mark = box.querySelector(".bp-node-status");
    if (!mark) return;
    mark.textContent = ICONS[status] || "";
    if (ICONS[status]) {
      mark.setAttribute("role", "img");
      mark.setAttribute("aria-label", this.word(status, status));
    } else {
      mark.removeAttribute("role");
      mark.removeAttribute("aria-label");
    }
  };

  Graph.prototype.bind = function () {
    var self = this;
    if (this.toggle) {
      this.toolbar.hidden = false;
      this.toggle.addEventListener("click", function () {
        var next = self.view === "graph" ? "table" : "graph";
        storeView(next);
        self.setView(next);
      });
    }
    if (this.zoomBar) {
      this.toolbar.hidden = false;
      this.zoomBar.addEventListener("click", function (event) {
        var button = event.target.closest("[data-zoom]");
        if (!button) return;
        var how = button.getAttribute("data-zoom");
        if (how === "fit") self.viewport.fit();
        else self.viewport.zoomBy(how === "in" ? 1.25 : 0.8);
      });
    }
    this.root.addEventListener("click", function (event) {
      var link = event.target.closest("[data-focus-node]");
      if (!link) return;
      event.preventDefault();
      self.focusNode(link.getAttribute("data-focus-node"));
    });
    this.stage.addEventListener("focusin", function (event) {
      if (self.pop.contains(event.target)) return;
      var box = event.target.closest(".bp-node");
      if (box) self.showHint(box.getAttribute("data-node"));
    });
    this.stage.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !self.pop.hidden) self.hideHint();
    });
    // Answer boxes grow with what is typed (`15 + 7*3` is never cut off); a box that grows
    // past the room it was laid out with gets more room (makeRoom), never overlapping.
    this.root.addEventListener("input", function (event) {
      if (!event.target.matches(".bp-field input")) return;
      self.fitInput(event.target);
      self.makeRoom(event.target);
    });
    this.root.querySelectorAll(".bp-field input").forEach(this.fitInput);
  };

  Graph.prototype.fitInput = function (input) {
    input.style.width = Math.min(24, Math.max(6.5, input.value.length + 1.5)) + "ch";
  };

  /* Every value box is laid out with room for a short answer (graph.css), so the quiz, the
     solution and the preview share one layout. An answer longer than that widens its box:
     then the graph is laid out again with the box's new size (once typing pauses), at the
     same zoom, so it never covers a neighbouring box, shape or arrow. */
  Graph.prototype.makeRoom = function (input) {
    var box = input.closest(".bp-node");
    if (this.view !== "graph" || !this.width || !box) return;
    if (box.offsetWidth <= (parseFloat(box.style.minWidth) || 0) + 0.5) return;
    var self = this;
    clearTimeout(this.roomTimer);
    this.roomTimer = setTimeout(function () { self.relayout(); }, 200);
  };

  Graph.prototype.relayout = function () {
    var self = this;
    return this.computeLayout().then(function (result) {
      var open = self.pop.hidden ? null : self.pop.getAttribute("data-for");
      self.place(result);
      self.viewport.apply();
      if (open) self.showHint(open);
      var focused = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest("[data-bp-graph] .bp-node");
      if (focused && self.stage.contains(focused)) self.viewport.reveal(self.boxRect(focused.getAttribute("data-node")));
      self.root.setAttribute("data-layouts", String(+(self.root.getAttribute("data-layouts") || 1) + 1));
      return self;
    });
  };

  Graph.prototype.setView = function (view) {
    this.view = view;
    this.root.setAttribute("data-view", view);
    var graph = view === "graph";
    this.canvas.hidden = !graph;
    if (this.zoomBar) this.zoomBar.hidden = !graph;
    if (this.toggle) {
      this.toggle.textContent = graph ? this.word("tableView", "Table view") : this.word("graphView", "Graph view");
      this.toggle.setAttribute("aria-pressed", graph ? "false" : "true");
    }
    Object.keys(this.boxes).forEach(function (name) {
      var field = this.field(name);
      if (!field) return;
      var home = graph ? this.boxes[name].querySelector(".bp-slot")
                       : this.rows[name] && this.rows[name].querySelector(".bp-answer-cell");
      if (home && field.parentNode !== home) home.appendChild(field);
    }, this);
    if (graph) this.layout();
  };

  Graph.prototype.sources = function () {
    return {elk: this.root.getAttribute("data-elk-src"),
            worker: this.root.getAttribute("data-elk-worker-src")};
  };

  /* The sizes ELK lays out: value boxes as CSS draws them (graph.css gives every value box
     room for a name, a data line and an answer line, so the quiz, the solution and the
     preview size them alike) and op shapes from their label. */
  Graph.prototype.sizes = function () {
    var sizes = {};
    this.data.nodes.forEach(function (node) {
      var box = this.boxes[node.name];
      sizes[node.name] = {width: Math.ceil(box.offsetWidth), height: Math.ceil(box.offsetHeight)};
      if (node.kind !== "op") return;
      var circle = window.BackpropLayout.CIRCLE;
      if (node.op_label) {
        var w = Math.ceil(textWidth(node.op_label, "14px 'Trebuchet MS', system-ui, sans-serif")) + 28;
        sizes["o:" + node.name] = {width: Math.max(circle, w), height: 36};
      } else {
        var size = Math.max(circle, 16 + node.symbol.length * 9);
        sizes["o:" + node.name] = {width: size, height: size};
      }
    }, this);
    return sizes;
  };

  Graph.prototype.computeLayout = function () {
    var self = this, Layout = window.BackpropLayout;
    var sizes = this.sizes();
    var room = this.canvas.clientWidth - 2;
    var key = JSON.stringify([this.data.nodes.map(function (n) { return [n.name, n.inputs]; }),
                              sizes, Math.round(room / 20)]);
    if (!layouts[key]) {
      var right = Layout.elkGraph(this.data.nodes, sizes, "RIGHT");
      var fits = function (result) { return Math.min(1, room / result.width); };
      var sources = this.sources(), nodes = this.data.nodes;
      layouts[key] = Layout.layout(right, sources).then(function (across) {
        if (fits(across) >= SWITCH_BELOW) return across;
        // Stacked, the output on top: the backward pass reads downwards from where it starts.
        var down = Layout.elkGraph(nodes, sizes, "UP");
        return Layout.layout(down, sources).then(function (tall) {
          var best = fits(tall) > fits(across) * 1.15 ? tall : across;
          if (fits(best) >= SWITCH_BELOW) return best;
          // Still too wide (many inputs side by side when stacked): left to right, wrapped
          // into rows about as wide as a phone is tall.
          var rows = Layout.elkGraph(nodes, sizes, "RIGHT", WRAP_ASPECT);
          return Layout.layout(rows, sources).then(function (wrapped) {
            return fits(wrapped) > fits(best) * 1.1 ? wrapped : best;
          });
        });
      });
      layouts[key].catch(function () { delete layouts[key]; });
    }
    return layouts[key];
  };

  Graph.prototype.layout = function () {
    if (this.laidOut) return this.laidOut;
    var self = this;
    this.stage.classList.add("bp-measuring");
    this.laidOut = this.computeLayout().then(function (result) {
      self.place(result);
      self.stage.classList.remove("bp-measuring");
      self.root.classList.add("bp-drawn");
      self.viewport.fit();
      // A wrong answer from the last submission opens its hint straight away.
      var first = self.order.find(function (name) {
        var status = self.boxes[name].getAttribute("data-status");
        return status === "wrong" || status === "invalid";
      });
      if (first) self.showHint(first);
      self._resolveReady(self);
      return self;
    }).catch(function (error) {
      // No layout: the table is the complete page anyway.
      if (window.console) console.warn("graph layout failed:", error);
      if (self.toolbar) self.toolbar.hidden = true;
      self.laidOut = null;
      self.toggle = null;
      self.zoomBar = null;
      self.setView("table");
      self._resolveReady(self);
    });
    return this.laidOut;
  };

  Graph.prototype.boxRect = function (name) {
    var box = this.boxes[name];
    return {x: box.offsetLeft, y: box.offsetTop, w: box.offsetWidth, h: box.offsetHeight};
  };

  Graph.prototype.revealOutput = function () {
    if (this.boxes[this.data.output] && this.width) this.viewport.reveal(this.boxRect(this.data.output));
  };

  Graph.prototype.place = function (layout) {
    var self = this, shapes = {};
    var vertical = layout.layoutOptions && layout.layoutOptions["elk.direction"] === "UP";
    this.direction = vertical ? "up" : "right";
    this.root.setAttribute("data-direction", this.direction);
    var wrapped = !!(layout.layoutOptions && layout.layoutOptions["elk.layered.wrapping.strategy"]);
    this.root.toggleAttribute("data-wrapped", wrapped);
    this.height = Math.ceil(layout.height);
    this.width = Math.ceil(layout.width);
    this.stage.style.width = this.width + "px";
    this.stage.style.height = this.height + "px";
    this.svg.setAttribute("width", this.width);
    this.svg.setAttribute("height", this.height);
    this.svg.setAttribute("viewBox", "0 0 " + this.width + " " + this.height);
    layout.children.forEach(function (child) { shapes[child.id] = child; });
    this.obstacles = layout.children.map(function (child) {
      return {x: child.x, y: child.y, w: child.width, h: child.height};
    });
    this.svg.querySelectorAll(".bp-edges, .bp-ops").forEach(function (old) { old.remove(); });
    var edgeLayer = svgEl("g", {"class": "bp-edges"});
    var opLayer = svgEl("g", {"class": "bp-ops"});
    (layout.edges || []).forEach(function (edge) {
      (edge.sections || []).forEach(function (section) {
        var points = [section.startPoint].concat(section.bendPoints || [], [section.endPoint]);
        var target = shapes[edge.targets[0]], source = shapes[edge.sources[0]];
        var last = points.length - 1;
        if (target.id.charAt(0) === "o") points[last] = onShape(points[last], target, vertical);
        if (source.id.charAt(0) === "o") points[0] = onShape(points[0], source, vertical);
        edgeLayer.appendChild(svgEl("path", {d: pathFor(points), "class": "bp-edge",
                                             "marker-end": "url(#bp-arrow-" + self.id + ")"}));
      });
    });
    this.data.nodes.forEach(function (node) {
      var box = shapes["v:" + node.name];
      var element = self.boxes[node.name];
      element.style.left = box.x + "px";
      element.style.top = box.y + "px";
      element.style.minWidth = box.width + "px"; // the laid-out size, whatever it shows
      element.style.minHeight = box.height + "px";
      if (node.kind !== "op") return;
      opLayer.appendChild(self.opShape(node, shapes["o:" + node.name]));
    });
    this.svg.appendChild(edgeLayer);
    this.svg.appendChild(opLayer);
    this.viewport.setSize(this.width, this.height);
    this.canvas.setAttribute("aria-label", this.word("canvas", "Computational graph") + ", " +
      (this.data.ask === "data" ? this.word("forward", "forward order") : this.word("backward", "output first")) +
      ". " + this.word("keys", "Keys: + and − zoom, 0 fits, arrows pan."));
  };

  Graph.prototype.opShape = function (node, shape) {
    var group = svgEl("g", {"class": "bp-op" + (node.op_label ? " bp-op-line" : ""), "data-op": node.name});
    var r = Math.min(shape.width, shape.height) / 2;
    if (node.op_label) {
      group.appendChild(svgEl("rect", {x: shape.x + 0.75, y: shape.y + 0.75, width: shape.width - 1.5,
                                       height: shape.height - 1.5, rx: r, ry: r}));
    } else {
      group.appendChild(svgEl("circle", {cx: shape.x + r, cy: shape.y + r, r: r - 1}));
    }
    var text = node.op_label || node.symbol;
    var label = svgEl("text", {x: shape.x + shape.width / 2, y: shape.y + shape.height / 2,
                               "text-anchor": "middle", "dominant-baseline": "central",
                               "class": node.op_label ? "bp-op-expression"
                                 : node.symbol.length > 2 ? "bp-op-word" : "bp-op-symbol"});
    label.textContent = text;
    group.appendChild(label);
    var title = svgEl("title");
    title.textContent = node.name + " = " + node.expression;
    group.appendChild(title);
    return group;
  };

  /* Feedback: the row and the box carry the verdict; it is announced once per submission. */
  Graph.prototype.setStatus = function (name, status, html) {
    var row = this.rows[name], box = this.boxes[name];
    if (row) {
      if (status) row.setAttribute("data-status", status);
      else row.removeAttribute("data-status");
    }
    if (box) this.showStatus(box, status);
    var input = this.input(name);
    if (input) {
      if (status === "invalid") input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    if (html !== undefined) {
      var fb = this.root.querySelector("#fb-" + CSS.escape(name));
      if (fb) { fb.innerHTML = html; renderMath(fb); }
    }
    if (!this.pop.hidden && this.pop.getAttribute("data-for") === name) this.showHint(name);
    if (status) this.announce(name, status);
  };

  /* One sentence for all the verdicts of a submission: "Correct: L, y, z. Wrong: x." */
  Graph.prototype.announce = function (name, status) {
    var self = this;
    this.pending[name] = status;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(function () {
      var groups = {};
      self.order.forEach(function (node) {
        var verdict = self.pending[node];
        if (verdict) (groups[verdict] = groups[verdict] || []).push(self.nodes[node].label);
      });
      self.pending = {};
      var text = ["correct", "wrong", "invalid", "received"].filter(function (verdict) {
        return groups[verdict];
      }).map(function (verdict) {
        return self.word("say" + verdict.charAt(0).toUpperCase() + verdict.slice(1), verdict) +
          ": " + groups[verdict].join(", ") + ".";
      }).join(" ");
      if (self.live) self.live.textContent = text;
    }, 60);
  };

  Graph.prototype.focusNode = function (name) {
    var input = this.input(name);
    if (!input) return;
    if (this.view === "graph" && this.boxes[name] && this.width) {
      this.viewport.reveal(this.boxRect(name));
    }
    input.focus({preventScroll: this.view === "graph"});
    this.showHint(name);
  };

  /* The inline hint: the node's feedback, opened next to its box. It sits in the drawing,
     right after its box (Tab reaches its link next), scaled back to its normal size. */
  Graph.prototype.showHint = function (name) {
    var box = this.boxes[name];
    var fb = this.root.querySelector("#fb-" + CSS.escape(name));
    var status = box && box.getAttribute("data-status");
    if (this.view !== "graph" || !this.obstacles || !fb ||
        !(status === "wrong" || status === "invalid")) {
      this.hideHint();
      return;
    }
    var s = this.viewport.scale;
    this.pop.innerHTML = fb.innerHTML;
    labelMath(this.pop); // (a copy made before the spoken labels arrived gets them too)
    this.pop.setAttribute("data-status", status);
    this.pop.setAttribute("data-for", name);
    box.parentNode.insertBefore(this.pop, box.nextSibling);
    this.pop.hidden = false;
    this.pop.style.transform = "scale(" + (1 / s) + ")";
    var spot = this.hintSpot(box, s);
    this.pop.style.left = spot.x / s + "px";
    this.pop.style.top = spot.y / s + "px";
    // Grow the scrolling area to hold the hint, so the canvas never clips it.
    this.viewport.extra = {width: spot.x + spot.w + 12, height: spot.y + spot.h + 12};
    this.viewport.apply();
    this.drawLeader(box, spot, s);
  };

  /* A thin line from the box to its hint, when the hint had to sit further away. */
  Graph.prototype.drawLeader = function (box, spot, s) {
    if (!this.leader) {
      this.leader = svgEl("path", {"class": "bp-leader"});
      this.svg.appendChild(this.leader);
    }
    var b = {x: box.offsetLeft * s, y: box.offsetTop * s, w: box.offsetWidth * s, h: box.offsetHeight * s};
    var points;
    var x = Math.max(spot.x + 12, Math.min(b.x + 16, spot.x + spot.w - 12));
    if (spot.y >= b.y + b.h) points = [[x, b.y + b.h], [x, spot.y]];
    else if (spot.y + spot.h <= b.y) points = [[x, b.y], [x, spot.y + spot.h]];
    else {
      var y = b.y + b.h / 2;
      points = spot.x >= b.x + b.w ? [[b.x + b.w, y], [spot.x, y]] : [[b.x, y], [spot.x + spot.w, y]];
    }
    this.leader.setAttribute("d", "M" + points[0][0] / s + " " + points[0][1] / s +
                                  " L" + points[1][0] / s + " " + points[1][1] / s);
    this.leader.style.display = "";
  };

  /* Where the hint covers least of the drawing: below, right, left or above its box, or
     under the whole drawing (which costs by the distance from the box). Screen pixels. */
  Graph.prototype.hintSpot = function (box, s) {
    var width = Math.min(400, Math.max(240, this.canvas.clientWidth - 24));
    this.pop.style.width = width + "px";
    var height = this.pop.offsetHeight;
    var b = {x: box.offsetLeft * s, y: box.offsetTop * s, w: box.offsetWidth * s, h: box.offsetHeight * s};
    var drawn = {w: (this.width || 0) * s, h: (this.height || 0) * s};
    var gap = 10, stageWidth = Math.max(drawn.w, this.canvas.clientWidth - 2);
    var tucked = Math.max(4, Math.min(b.x, stageWidth - width - 4));
    var candidates = [
      {x: tucked, y: b.y + b.h + gap, cost: 0},
      {x: b.x + b.w + gap, y: b.y, cost: 0},
      {x: b.x - width - gap, y: b.y, cost: 0},
      {x: tucked, y: b.y - height - gap, cost: 0},
      {x: tucked, y: drawn.h + gap, cost: (drawn.h - b.y - b.h) * 20}
    ];
    var best = null;
    candidates.forEach(function (spot) {
      if (spot.x < 4 || spot.y < 4) return;
      var cost = spot.cost + Math.max(0, spot.x + width - stageWidth) * 20;
      (this.obstacles || []).forEach(function (r) {
        var ox = Math.min(spot.x + width, (r.x + r.w) * s) - Math.max(spot.x, r.x * s);
        var oy = Math.min(spot.y + height, (r.y + r.h) * s) - Math.max(spot.y, r.y * s);
        if (ox > 0 && oy > 0) cost += ox * oy;
      });
      if (!best || cost < best.cost) best = {x: spot.x, y: spot.y, cost: cost};
    }, this);
    return {x: best.x, y: best.y, w: width, h: height};
  };

  Graph.prototype.hideHint = function () {
    if (this.pop.hidden) return;
    this.pop.hidden = true;
    if (this.leader) this.leader.style.display = "none";
    this.viewport.extra = {width: 0, height: 0};
    this.viewport.apply();
  };

  function init(root) {
    if (root.__bpGraph) return root.__bpGraph;
    try {
      root.__bpGraph = new Graph(root);
    } catch (error) {
      if (window.console) console.warn("graph not drawn:", error);
      return null;
    }
    return root.__bpGraph;
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-bp-graph]").forEach(init);
  }

  window.BackpropGraph = {
    init: init, initAll: initAll, renderMath: renderMath,
    get: function (root) { return root ? init(root) : null; }
  };

  // The admin's live preview swaps the partial in with innerHTML, where scripts don't run.
  document.addEventListener("graph:updated", function (event) {
    initAll(event.detail && event.detail.element);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    initAll(document);
  }
})();
