/* The graph's layout: ELK's layered algorithm (vendored elkjs), computed in a web worker
   (elkjs's worker build) so a large graph never freezes the page while it is laid out. If
   the worker cannot start, the same algorithm runs in the page (elk.bundled.js's own
   in-thread worker), which gives the same result, only on the main thread.

   The layout depends on nothing but the graph's structure and the boxes' sizes, and the
   boxes are sized alike in the quiz, the solution and the admin's preview (graph.css), so
   a box stays where it was when the solution appears under it.

   window.BackpropLayout: layout(elkGraph, sources) → Promise of ELK's result;
   elkGraph(nodes, sizes, direction) → the ELK input. */
(function () {
  "use strict";
  if (window.BackpropLayout) return;

  var loading = null;
  var engines = {};

  function loadScript(src) {
    if (window.ELK) return Promise.resolve(window.ELK);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { window.ELK ? resolve(window.ELK) : reject(new Error("no ELK")); };
        script.onerror = function () { reject(new Error("ELK did not load")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  /* One ELK per page and kind: the worker is started once and lays out every graph. */
  function engine(ELK, kind, workerSrc) {
    if (!engines[kind]) {
      if (kind === "worker") {
        engines[kind] = new ELK({workerUrl: workerSrc,
                                 workerFactory: function (url) { return new Worker(url); }});
      } else {
        engines[kind] = new ELK();
      }
    }
    return engines[kind];
  }

  function layout(graph, sources) {
    return loadScript(sources.elk).then(function (ELK) {
      var useWorker = sources.worker && window.Worker;
      if (!useWorker) return engine(ELK, "page").layout(graph);
      var clone = JSON.parse(JSON.stringify(graph)); // ELK writes its result into its input
      return engine(ELK, "worker", sources.worker).layout(clone).catch(function (error) {
        if (window.console) console.warn("layout worker failed, laying out in the page:", error);
        engines.worker = null;
        sources.worker = null;
        return engine(ELK, "page").layout(graph);
      });
    });
  }

  var CIRCLE = 44;

  /* nodes: the graph JSON's nodes; sizes: {name: {width, height}} of the value boxes and
     {"o:" + name: {width, height}} of the op shapes; direction "RIGHT" or "UP"; wrap: cut
     a left-to-right layout into rows stacked below each other (ELK's graph wrapping),
     about `wrap` wide for each unit of height. */
  function elkGraph(nodes, sizes, direction, wrap) {
    var children = [], edges = [];
    nodes.forEach(function (node) {
      if (node.kind === "op") {
        var shape = sizes["o:" + node.name] || {width: CIRCLE, height: CIRCLE};
        children.push({id: "o:" + node.name, width: shape.width, height: shape.height});
        node.inputs.forEach(function (source, k) {
          edges.push({id: "e:" + source + ">" + node.name + ":" + k,
                      sources: ["v:" + source], targets: ["o:" + node.name]});
        });
        edges.push({id: "r:" + node.name, sources: ["o:" + node.name], targets: ["v:" + node.name]});
      }
      var box = sizes[node.name];
      children.push({id: "v:" + node.name, width: box.width, height: box.height});
    });
    var options = {
        "elk.algorithm": "layered",
        "elk.direction": direction,
        "elk.edgeRouting": "ORTHOGONAL",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
        "elk.layered.spacing.nodeNodeBetweenLayers": "30",
        "elk.layered.spacing.edgeNodeBetweenLayers": "14",
        "elk.spacing.nodeNode": "22",
        "elk.spacing.edgeNode": "12",
        "elk.spacing.edgeEdge": "8",
        "elk.padding": "[top=14,left=14,bottom=14,right=14]"
    };
    if (wrap) {
      options["elk.layered.wrapping.strategy"] = "MULTI_EDGE";
      options["elk.aspectRatio"] = String(wrap);
    }
    return {id: "root", layoutOptions: options, children: children, edges: edges};
  }

  window.BackpropLayout = {layout: layout, elkGraph: elkGraph, CIRCLE: CIRCLE};
})();
