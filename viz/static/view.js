/* kg view: draws the network from the JSON in #kg-data. Text from papers only ever goes into
   the page through textContent (never innerHTML), so hostile titles show as text. */
"use strict";

var DATA = JSON.parse(document.getElementById("kg-data").textContent);
var META = DATA.meta;
var DIM_NODE = { background: "#eeeeee", border: "#dddddd" };
var DIM_FONT = "rgba(0,0,0,0.18)";
var DIM_EDGE = "rgba(200,200,200,0.25)";
var nodes = null;
var edges = null;
var network = null;
var colourMode = "type";
var hiddenKinds = new Set();
var highlighted = null;

function el(tag, text, cls) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function tipElement(tip) {
  var box = el("div", null, "kg-tip");
  box.appendChild(el("div", tip.head, "kg-tip-head"));
  tip.rows.forEach(function (row) {
    var line = el("div", null, "kg-tip-row");
    line.appendChild(el("b", row[0] + ": "));
    line.appendChild(el("span", row[1]));
    box.appendChild(line);
  });
  if (tip.items.length) {
    box.appendChild(el("div", tip.items_head, "kg-tip-sub"));
    var list = el("ul");
    tip.items.forEach(function (item) { list.appendChild(el("li", item)); });
    box.appendChild(list);
  }
  return box;
}

function baseColour(id) {
  var colours = META[id].colours;
  return colours[colourMode] || colours.type;
}

function baseFont(id) {
  return { size: META[id].font_size, color: "#222222" };
}

function highlight(id) {
  highlighted = id;
  var keep = new Set(network.getConnectedNodes(id));
  keep.add(id);
  nodes.update(nodes.getIds().map(function (k) {
    return keep.has(k)
      ? { id: k, color: baseColour(k), font: baseFont(k) }
      : { id: k, color: DIM_NODE, font: { size: META[k].font_size, color: DIM_FONT } };
  }));
  edges.update(edges.getIds().map(function (e) {
    var edge = edges.get(e);
    var near = edge.from === id || edge.to === id;
    return { id: e, color: near ? { color: "#555555" } : { color: DIM_EDGE } };
  }));
}

function resetHighlight() {
  highlighted = null;
  nodes.update(nodes.getIds().map(function (k) {
    return { id: k, color: baseColour(k), font: baseFont(k) };
  }));
  edges.update(edges.getIds().map(function (e) { return { id: e, color: DATA.edge_colour }; }));
}

function showDetails(id) {
  var box = document.getElementById("kg-details");
  box.replaceChildren(tipElement(META[id].tip));
  var url = safeUrl(META[id].url);
  if (url) {
    var link = el("a", "Open the paper ↗");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    box.appendChild(link);
  }
}

function openPaper(id) {
  var url = safeUrl(META[id] && META[id].url);
  if (url) window.open(url, "_blank", "noopener,noreferrer");
}

function findNode(query) {
  var q = query.trim().toLowerCase();
  if (!q) return null;
  var best = null;
  var bestRank = 3;
  DATA.nodes.forEach(function (n) {
    META[n.id].names.forEach(function (name) {
      var s = String(name).toLowerCase();
      var rank = s === q ? 0 : s.indexOf(q) === 0 ? 1 : s.indexOf(q) > 0 ? 2 : 3;
      if (rank < bestRank || (rank === bestRank && best !== null && n.size > best.size)) {
        best = n;
        bestRank = rank;
      }
    });
  });
  return best === null ? null : best.id;
}

function focusNode(id) {
  var kind = META[id].kind;
  if (hiddenKinds.has(kind)) {
    document.querySelector('input.kg-kind[data-kind="' + CSS.escape(kind) + '"]').checked = true;
    applyFilter();
  }
  network.selectNodes([id]);
  highlight(id);
  showDetails(id);
  var near = network.getConnectedNodes(id).concat([id]);
  network.fit({ nodes: near, maxZoomLevel: 1.0, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
}

function setupSearch() {
  var list = document.getElementById("kg-names");
  var seen = new Set();
  DATA.nodes.forEach(function (n) {
    META[n.id].names.forEach(function (name) {
      if (seen.has(name)) return;
      seen.add(name);
      var option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    });
  });
  document.getElementById("kg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("kg-search-box").value;
    var id = findNode(query);
    var status = document.getElementById("kg-search-status");
    status.textContent = id === null ? "no match for “" + query.trim() + "”" : "found: " + META[id].tip.head;
    if (id !== null) focusNode(id);
  });
}

function applyFilter() {
  hiddenKinds = new Set();
  document.querySelectorAll("input.kg-kind").forEach(function (box) {
    if (!box.checked) hiddenKinds.add(box.dataset.kind);
  });
  nodes.update(DATA.nodes.map(function (n) {
    return { id: n.id, hidden: hiddenKinds.has(META[n.id].kind) };
  }));
}

function setColourMode(mode) {
  colourMode = mode;
  document.getElementById("kg-legend-communities").hidden = mode !== "community";
  if (highlighted === null) resetHighlight(); else highlight(highlighted);
}

function markStable() {
  document.body.classList.add("kg-stable");
  window.kgStable = true;
}

function draw() {
  DATA.nodes.forEach(function (n) { n.title = tipElement(META[n.id].tip); });
  nodes = new vis.DataSet(DATA.nodes);
  edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("mynetwork");
  network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  if (!DATA.nodes.length) {
    document.getElementById("kg-empty").hidden = false;
    network.setOptions({ physics: { enabled: false } });
    markStable();
  } else if (DATA.options.physics.enabled) {
    network.on("stabilizationProgress", function (p) {
      document.getElementById("kg-progress").textContent = Math.round(100 * p.iterations / p.total) + "%";
    });
    // Lay out once, then stop: a settled page must not keep the CPU busy.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      markStable();
    });
  } else {
    network.once("afterDrawing", markStable);
  }
  network.on("click", function (params) {
    if (params.nodes.length) {
      highlight(params.nodes[0]);
      showDetails(params.nodes[0]);
    } else if (highlighted !== null) {
      resetHighlight();
    }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) openPaper(params.nodes[0]);
  });
  document.querySelectorAll("input.kg-kind").forEach(function (box) {
    box.addEventListener("change", applyFilter);
  });
  document.querySelectorAll("input[name=kg-colour]").forEach(function (radio) {
    radio.addEventListener("change", function () { setColourMode(radio.value); });
  });
  setupSearch();
}

draw();
