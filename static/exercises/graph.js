/* Draws a computational graph like the notes' flowcharts: left to right in layers, value
   nodes as boxes (name, data, the answer box), op nodes as circles with their symbol,
   constants marked "(const)". The layout is ELK's layered algorithm (vendored elkjs) with
   orthogonal edges, so arrows never cross a box.

   Progressive enhancement of templates/exercises/_graph.html: the server renders a table
   of the nodes with the inputs; this script draws the picture and moves those very inputs
   into the boxes (one form, one set of fields), in the table's working order, so Tab goes
   output first. "Table view" moves them back.

   window.BackpropGraph: init(root), initAll(scope), get(root), renderMath(element). */
(function () {
  "use strict";
  if (window.BackpropGraph) return; // the partial may appear more than once on a page

  var SVG_NS = "http://www.w3.org/2000/svg";
  var CIRCLE = 44;
  var VIEW_KEY = "bp-graph-view";
  var instances = [];
  var elkLoading = null;
  var counter = 0;

  function loadElk(src) {
    if (window.ELK) return Promise.resolve(window.ELK);
    if (!elkLoading) {
      elkLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { window.ELK ? resolve(window.ELK) : reject(new Error("no ELK")); };
        script.onerror = function () { reject(new Error("ELK did not load")); };
        document.head.appendChild(script);
      });
    }
    return elkLoading;
  }

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

  /* ELK ends edges on a node's bounding box; pull the ends onto the circle itself. */
  function onCircle(point, circle, side) {
    var r = circle.width / 2, cx = circle.x + r, cy = circle.y + r;
    var dy = Math.max(-r + 1, Math.min(r - 1, point.y - cy));
    var dx = Math.sqrt(r * r - dy * dy);
    return {x: cx + side * dx, y: point.y};
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
    this.rows = {};
    root.querySelectorAll("tr.bp-row").forEach(function (row) {
      this.rows[row.getAttribute("data-node")] = row;
    }, this);
    this.boxes = {};
    this.laidOut = null;
    this.id = ++counter;
    this.build();
    this.bind();
    renderMath(root);
    var self = this;
    this.ready = new Promise(function (resolve) { self._resolveReady = resolve; });
    this.setView(storedView() === "table" ? "table" : "graph");
  }

  Graph.prototype.field = function (name) {
    return this.root.querySelector(".bp-field[data-node='" + name + "']");
  };

  Graph.prototype.input = function (name) {
    var field = this.field(name);
    return field ? field.querySelector("input") : null;
  };

  Graph.prototype.build = function () {
    var data = this.data;
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
    this.stage.setAttribute("role", "group");
    this.stage.setAttribute("aria-label", "Computational graph, " +
      (data.ask === "data" ? "forward order" : "output first"));
    // DOM order = working order, so Tab walks the backward pass without tabindex tricks.
    this.order.forEach(function (name) {
      var box = this.makeBox(this.nodes[name]);
      this.boxes[name] = box;
      this.stage.appendChild(box);
    }, this);
    this.pop = el("div", "bp-pop");
    this.pop.hidden = true;
    this.stage.appendChild(this.pop);
    this.canvas.appendChild(this.stage);
  };

  Graph.prototype.makeBox = function (node) {
    var box = el("div", "bp-node bp-kind-" + node.kind);
    box.setAttribute("data-node", node.name);
    if (node.name === this.data.output) box.classList.add("bp-output");
    if (node.status) box.setAttribute("data-status", node.status);
    var title = el("div", "bp-node-name", node.label);
    if (node.kind === "const") title.appendChild(el("span", "bp-const", " (const)"));
    box.appendChild(title);
    var valueAsked = node.asked && this.data.ask === "data" && node.kind !== "input";
    var plainConst = node.kind === "const" && node.label !== node.name;
    if (!valueAsked && !plainConst) box.appendChild(el("div", "bp-node-line", "data: " + node.data));
    if (node.asked) {
      var line = el("div", "bp-node-line bp-node-answer");
      line.appendChild(el("span", "bp-node-key", this.data.ask === "data" ? "data:" : "grad:"));
      line.lastChild.setAttribute("aria-hidden", "true");
      line.appendChild(el("span", "bp-slot"));
      var status = el("span", "bp-node-status");
      status.setAttribute("aria-hidden", "true");
      line.appendChild(status);
      box.appendChild(line);
    } else if (node.grad !== null && node.grad !== undefined) {
      box.appendChild(el("div", "bp-node-line bp-node-grad", "grad: " + node.grad));
    }
    return box;
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
  };

  Graph.prototype.setView = function (view) {
    this.view = view;
    this.root.setAttribute("data-view", view);
    var graph = view === "graph";
    this.canvas.hidden = !graph;
    if (this.toggle) {
      this.toggle.textContent = graph ? "Table view" : "Graph view";
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

  Graph.prototype.layout = function () {
    if (this.laidOut) return this.laidOut;
    var self = this;
    this.stage.classList.add("bp-measuring");
    this.laidOut = loadElk(this.root.getAttribute("data-elk-src")).then(function (ELK) {
      return new ELK().layout(self.elkGraph());
    }).then(function (result) {
      self.place(result);
      self.stage.classList.remove("bp-measuring");
      self.root.classList.add("bp-drawn");
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
      self.setViewTableOnly();
      self._resolveReady(self);
    });
    return this.laidOut;
  };

  Graph.prototype.setViewTableOnly = function () {
    this.toggle = null;
    this.setView("table");
  };

  Graph.prototype.elkGraph = function () {
    var children = [], edges = [];
    this.data.nodes.forEach(function (node) {
      var box = this.boxes[node.name];
      if (node.kind === "op") {
        var size = Math.max(CIRCLE, 16 + node.symbol.length * 9);
        children.push({id: "o:" + node.name, width: size, height: size});
        node.inputs.forEach(function (source, k) {
          edges.push({id: "e:" + source + ">" + node.name + ":" + k,
                      sources: ["v:" + source], targets: ["o:" + node.name]});
        });
        edges.push({id: "r:" + node.name, sources: ["o:" + node.name], targets: ["v:" + node.name]});
      }
      children.push({id: "v:" + node.name, width: Math.ceil(box.offsetWidth),
                     height: Math.ceil(box.offsetHeight)});
    }, this);
    return {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.edgeRouting": "ORTHOGONAL",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
        "elk.layered.spacing.nodeNodeBetweenLayers": "30",
        "elk.layered.spacing.edgeNodeBetweenLayers": "14",
        "elk.spacing.nodeNode": "22",
        "elk.spacing.edgeNode": "12",
        "elk.spacing.edgeEdge": "8",
        "elk.padding": "[top=14,left=14,bottom=14,right=14]"
      },
      children: children,
      edges: edges
    };
  };

  Graph.prototype.place = function (layout) {
    var self = this, shapes = {};
    this.height = Math.ceil(layout.height);
    this.width = Math.ceil(layout.width);
    this.stage.style.width = this.width + "px";
    this.stage.style.height = this.height + "px";
    this.svg.setAttribute("width", Math.ceil(layout.width));
    this.svg.setAttribute("height", Math.ceil(layout.height));
    this.svg.setAttribute("viewBox", "0 0 " + Math.ceil(layout.width) + " " + Math.ceil(layout.height));
    layout.children.forEach(function (child) { shapes[child.id] = child; });
    this.obstacles = layout.children.map(function (child) {
      return {x: child.x, y: child.y, w: child.width, h: child.height};
    });
    var edgeLayer = svgEl("g", {"class": "bp-edges"});
    var opLayer = svgEl("g", {"class": "bp-ops"});
    (layout.edges || []).forEach(function (edge) {
      (edge.sections || []).forEach(function (section) {
        var points = [section.startPoint].concat(section.bendPoints || [], [section.endPoint]);
        var target = shapes[edge.targets[0]], source = shapes[edge.sources[0]];
        if (target.id.charAt(0) === "o") points[points.length - 1] = onCircle(points[points.length - 1], target, -1);
        if (source.id.charAt(0) === "o") points[0] = onCircle(points[0], source, 1);
        edgeLayer.appendChild(svgEl("path", {d: pathFor(points), "class": "bp-edge",
                                             "marker-end": "url(#bp-arrow-" + self.id + ")"}));
      });
    });
    this.data.nodes.forEach(function (node) {
      var box = shapes["v:" + node.name];
      var element = self.boxes[node.name];
      element.style.left = box.x + "px";
      element.style.top = box.y + "px";
      if (node.kind !== "op") return;
      var circle = shapes["o:" + node.name], r = circle.width / 2;
      var group = svgEl("g", {"class": "bp-op", "data-op": node.name});
      group.appendChild(svgEl("circle", {cx: circle.x + r, cy: circle.y + r, r: r - 1}));
      var label = svgEl("text", {x: circle.x + r, y: circle.y + r, "text-anchor": "middle",
                                 "dominant-baseline": "central",
                                 "class": node.symbol.length > 2 ? "bp-op-word" : "bp-op-symbol"});
      label.textContent = node.symbol;
      group.appendChild(label);
      var title = svgEl("title");
      title.textContent = node.name + " = " + node.expression;
      group.appendChild(title);
      opLayer.appendChild(group);
    });
    this.svg.appendChild(edgeLayer);
    this.svg.appendChild(opLayer);
  };

  /* Feedback: the row and the box carry the verdict (colour and icon come from CSS). */
  Graph.prototype.setStatus = function (name, status, html) {
    var row = this.rows[name], box = this.boxes[name];
    [row, box].forEach(function (element) {
      if (!element) return;
      if (status) element.setAttribute("data-status", status);
      else element.removeAttribute("data-status");
    });
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
  };

  Graph.prototype.focusNode = function (name) {
    var input = this.input(name);
    if (!input) return;
    var box = this.boxes[name];
    if (this.view === "graph" && box && box.scrollIntoView) {
      box.scrollIntoView({block: "nearest", inline: "center"});
    }
    input.focus({preventScroll: this.view === "graph"});
    this.showHint(name);
  };

  /* The inline hint: the node's feedback, opened next to its box. */
  Graph.prototype.showHint = function (name) {
    var box = this.boxes[name];
    var fb = this.root.querySelector("#fb-" + CSS.escape(name));
    var status = box && box.getAttribute("data-status");
    if (this.view !== "graph" || !this.obstacles || !fb ||
        !(status === "wrong" || status === "invalid")) {
      this.hideHint();
      return;
    }
    this.pop.innerHTML = fb.innerHTML;
    this.pop.setAttribute("data-status", status);
    this.pop.setAttribute("data-for", name);
    box.parentNode.insertBefore(this.pop, box.nextSibling); // Tab reaches its link next
    this.pop.hidden = false;
    var spot = this.hintSpot(box);
    this.pop.style.left = spot.x + "px";
    this.pop.style.top = spot.y + "px";
    // Grow the drawing to hold the hint, so the scrolling canvas never clips it.
    this.stage.style.height = Math.max(this.height || 0, spot.y + spot.h + 12) + "px";
    this.stage.style.width = Math.max(this.width || 0, spot.x + spot.w + 12) + "px";
    this.drawLeader(box, spot);
  };

  /* A thin line from the box to its hint, when the hint had to sit further away. */
  Graph.prototype.drawLeader = function (box, spot) {
    if (!this.leader) {
      this.leader = svgEl("path", {"class": "bp-leader"});
      this.svg.appendChild(this.leader);
    }
    var b = {x: box.offsetLeft, y: box.offsetTop, w: box.offsetWidth, h: box.offsetHeight};
    var d;
    if (spot.y >= b.y + b.h) {
      var x = Math.max(spot.x + 12, Math.min(b.x + 16, spot.x + spot.w - 12));
      d = "M" + x + " " + (b.y + b.h) + " V" + spot.y;
    } else if (spot.y + spot.h <= b.y) {
      var x2 = Math.max(spot.x + 12, Math.min(b.x + 16, spot.x + spot.w - 12));
      d = "M" + x2 + " " + b.y + " V" + (spot.y + spot.h);
    } else {
      var y = b.y + b.h / 2;
      d = spot.x >= b.x + b.w ? "M" + (b.x + b.w) + " " + y + " H" + spot.x
                              : "M" + b.x + " " + y + " H" + (spot.x + spot.w);
    }
    this.leader.setAttribute("d", d);
    this.leader.style.display = "";
  };

  /* Where the hint covers least of the drawing: below, right, left or above its box, or
     under the whole drawing (which costs by the distance from the box). */
  Graph.prototype.hintSpot = function (box) {
    var width = Math.min(400, Math.max(240, this.canvas.clientWidth - 24));
    this.pop.style.width = width + "px";
    var height = this.pop.offsetHeight;
    var b = {x: box.offsetLeft, y: box.offsetTop, w: box.offsetWidth, h: box.offsetHeight};
    var gap = 10, stageWidth = Math.max(this.width || 0, this.canvas.clientWidth - 2);
    var tucked = Math.max(4, Math.min(b.x, stageWidth - width - 4));
    var candidates = [
      {x: tucked, y: b.y + b.h + gap, cost: 0},
      {x: b.x + b.w + gap, y: b.y, cost: 0},
      {x: b.x - width - gap, y: b.y, cost: 0},
      {x: tucked, y: b.y - height - gap, cost: 0},
      {x: tucked, y: (this.height || 0) + gap, cost: ((this.height || 0) - b.y - b.h) * 20}
    ];
    var best = null;
    candidates.forEach(function (spot) {
      if (spot.x < 4 || spot.y < 4) return;
      var cost = spot.cost + Math.max(0, spot.x + width - stageWidth) * 20;
      (this.obstacles || []).forEach(function (r) {
        var ox = Math.min(spot.x + width, r.x + r.w) - Math.max(spot.x, r.x);
        var oy = Math.min(spot.y + height, r.y + r.h) - Math.max(spot.y, r.y);
        if (ox > 0 && oy > 0) cost += ox * oy;
      });
      if (!best || cost < best.cost) best = {x: spot.x, y: spot.y, cost: cost};
    }, this);
    return {x: best.x, y: best.y, w: width, h: height};
  };

  Graph.prototype.hideHint = function () {
    this.pop.hidden = true;
    if (this.leader) this.leader.style.display = "none";
    if (this.height) this.stage.style.height = this.height + "px";
    if (this.width) this.stage.style.width = this.width + "px";
  };

  function init(root) {
    if (root.__bpGraph) return root.__bpGraph;
    try {
      root.__bpGraph = new Graph(root);
      instances.push(root.__bpGraph);
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
