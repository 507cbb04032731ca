/* kg atlas: every concept, drawn by sigma.js at the positions computed at build time.
   Text from papers and concepts only ever reaches the page through textContent (the side
   panel) or sigma's canvas labels, never innerHTML, so hostile titles and names show as text.
   The data travels as gzipped JSON in base64 blocks (viz/atlas.py: packed), unpacked with the
   browser's DecompressionStream: the map's when the page opens, the panels' and the papers' when
   first needed or, after the map is drawn, while the page is idle. */
"use strict";

var T0 = performance.now();
var D = null;  // the map's columns (kg-data): unpacked before anything is drawn
var timings = { start: T0 };
var N = 0;
var ROLES = ["proposed", "used", "mentioned"];
var DIM = "#e6e6e6";
var state = { colour: "type", hiddenTypes: new Set(), from: null, to: null, selected: null, near: new Set(), nearPapers: new Set(), papers: false, highlight: "", since: 0 };
var NF = 0;  // concepts drawn when the page opens, most papers first; the rest on demand
var shown = null;
var drawn = null;  // in the graph: the first NF, the rest when asked or selected
var extraNodes = [];  // concepts drawn only while a selection needs them
var marked = null;  // the concepts a time highlight picks (rising, falling, new since)
var nMarked = 0;
var SVG = "http://www.w3.org/2000/svg";
var PD = null;  // papers on demand (kg-paper-data): unpacked when "draw the papers" is first ticked
var blocks = {};  // element id: the promise of its unpacked value
var MAX_PAPERS = 20000;  // papers drawn at once, those naming most shown concepts first
var PAPER_COLOUR = "#8a8a8a";
var lowerNames = null;
var P = null;  // the panels' paper rows (kg-panel-papers): unpacked when a panel first opens
var graph = null;
var renderer = null;
var full = null;  // the promise of the whole map (whole())

function bytesOf(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  var s = atob(text), out = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function unpack(id) {
  // A data block's value (a promise): base64, then gunzip, then JSON; once per block.
  if (!blocks[id]) {
    var node = document.getElementById(id);
    var gz = new Blob([bytesOf(node.textContent)]).stream();
    blocks[id] = new Response(gz.pipeThrough(new DecompressionStream("gzip"))).json().then(function (value) {
      node.textContent = "";  // its text is no longer needed (at 100k papers, tens of MB)
      blocks[id].done = true;
      if (allBlocks().every(function (b) { return blocks[b] && blocks[b].done; })) {
        document.body.classList.add("kg-loaded");  // every block unpacked
      }
      return value;
    });
  }
  return blocks[id];
}

function allBlocks() {
  return Array.from(document.querySelectorAll('script[type="application/octet-stream"]'), function (node) { return node.id; });
}

function el(tag, text, cls) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function nodeSize(count) {
  return Math.min(1 + 0.9 * Math.sqrt(count), 12);
}

function colourOf(i) {
  return state.colour === "community" ? D.community_colours[D.community[i]] : D.type_colours[D.type[i]];
}

function inYears(i) {
  if (state.from === null && state.to === null) return true;
  var years = D.years[i];
  for (var k = 0; k < years.length; k++) {
    if ((state.from === null || years[k] >= state.from) && (state.to === null || years[k] <= state.to)) return true;
  }
  return false;
}

function passes(i) {
  return !state.hiddenTypes.has(D.type[i]) && inYears(i) ? 1 : 0;
}

function applyFilters() {
  var n = 0;
  for (var i = 0; i < N; i++) {
    shown[i] = drawn[i] && passes(i);
    n += shown[i];
  }
  var note = "showing " + n + " of " + N + " concepts";
  if (state.highlight) note += "; " + nMarked + " " + highlightName() + " highlighted";
  document.getElementById("kg-showing").textContent = note;
  if (renderer && state.papers) drawPapers();
  if (renderer) useReducers();
}

function nodeReducer(key, attrs) {
  var i = attrs.i;
  var out = Object.assign({}, attrs);
  if (attrs.paper) return paperReducer(key, out);
  if (!shown[i]) {
    out.hidden = true;
    return out;
  }
  out.color = colourOf(i);
  if (state.highlight && state.selected === null) {
    if (!marked[i]) {
      out.color = DIM;
      out.label = "";
    } else if (nMarked <= 40) {
      out.forceLabel = true;
    }
  }
  if (state.selected !== null) {
    if (key === state.selected) {
      out.highlighted = true;
      out.forceLabel = true;
    } else if (state.near.has(key)) {
      out.forceLabel = state.near.size <= 40;
    } else {
      out.color = DIM;
      out.label = "";
    }
  }
  return out;
}

function useReducers() {
  // Off for the first frame (every node shown in its type colour, as built): it opens sooner.
  if (renderer.getSetting("nodeReducer") === null) {
    renderer.setSetting("nodeReducer", nodeReducer);
    renderer.setSetting("edgeReducer", edgeReducer);
  } else {
    renderer.refresh();
  }
}

function paperReducer(key, out) {
  out.color = PAPER_COLOUR;
  if (state.selected !== null && key !== state.selected && !state.nearPapers.has(key)) {
    out.color = DIM;
    out.label = "";
  } else if (state.selected !== null) {
    out.forceLabel = state.nearPapers.size <= 15;
  }
  return out;
}

function edgeReducer(key, attrs) {
  var out = Object.assign({}, attrs);
  if (attrs.p !== undefined) {  // paper to concept: the paper is only drawn with its shown concepts
    out.color = "#e3e3e3";
    if (state.selected !== null) {
      if (attrs.p === state.selected || D.key[attrs.a] === state.selected) out.color = "#999999"; else out.hidden = true;
    }
    return out;
  }
  if (!shown[attrs.a] || !shown[attrs.b]) {
    out.hidden = true;
  } else if (state.selected !== null) {
    if (D.key[attrs.a] === state.selected || D.key[attrs.b] === state.selected) {
      out.color = "#666666";
    } else {
      out.hidden = true;
    }
  }
  return out;
}

function build(n) {
  // The first n concepts (most papers first) and the strongest D.n_drawn links between them.
  var Graph = graphology.Graph || graphology;
  graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  drawn.fill(0, n);
  drawn.fill(1, 0, n);
  extraNodes = [];
  for (var i = n - 1; i >= 0; i--) addConcept(i);  // biggest last: drawn on top
  // A selected concept shows all of its own links (and the concepts at their ends).
  var links = D.links || D.first_links;  // before the links' blocks are joined: the first frame's
  for (var k = 0, m = 0; k < links.length && m < D.n_drawn; k += 3) {
    if (links[k] < n && links[k + 1] < n) {
      addLink(links[k], links[k + 1], false);
      m++;
    }
  }
  return graph;
}

function addConcept(i) {
  graph.addNode(D.key[i], { i: i, x: D.x[i], y: D.y[i], size: nodeSize(D.count[i]), label: D.name[i], color: colourOf(i) });
}

function drawConcept(i) {
  // A concept not drawn yet (the long tail), for as long as the selection needs it.
  if (drawn[i]) return;
  addConcept(i);
  drawn[i] = 1;
  shown[i] = passes(i);
  extraNodes.push(i);
}

function addLink(a, b, extra) {
  if (extra) {
    drawConcept(a);
    drawConcept(b);
  }
  if (!graph.hasEdge(D.key[a], D.key[b])) graph.addEdge(D.key[a], D.key[b], { a: a, b: b, color: "#dddddd", extra: extra });
}

var adjacency = null;

function linksOf(i) {
  if (adjacency === null) {
    adjacency = [];
    for (var n = 0; n < N; n++) adjacency.push([]);
    for (var k = 0; k < D.links.length; k += 3) {
      adjacency[D.links[k]].push(D.links[k + 1]);
      adjacency[D.links[k + 1]].push(D.links[k]);
    }
  }
  return adjacency[i];
}

function dropExtraLinks() {
  graph.filterEdges(function (edge, attrs) { return attrs.extra; }).forEach(function (edge) { graph.dropEdge(edge); });
  extraNodes.forEach(function (i) {
    if (graph.hasNode(D.key[i])) graph.dropNode(D.key[i]);
    drawn[i] = shown[i] = 0;
  });
  extraNodes = [];
}

function tailLabel() {
  var hidden = N - NF, most = D.count[NF];
  return "draw the other " + hidden + " concepts, named in " + (most === 1 ? "only one paper" : "at most " + most + " papers");
}

function setupTail() {
  // The long tail is not drawn at first, so the map opens sooner; search still finds it all.
  if (NF >= N) return;
  document.getElementById("kg-tail").hidden = false;
  document.getElementById("kg-tail-label").textContent = tailLabel();
  var box = document.getElementById("kg-show-tail");
  box.addEventListener("change", function () { drawTail(box.checked); });
}

function drawTail(on) {
  // All N concepts, or the first NF again: built aside and handed to sigma at once.
  var t0 = performance.now();
  if (state.selected !== null) clearSelection();
  var g = build(on ? N : NF);
  applyFilters();
  if (state.papers) drawPapers(); else useGraph(g);
  window.kgTailMs = performance.now() - t0;
}

function years() {
  var low = null;
  var high = null;
  D.years.forEach(function (list) {
    list.forEach(function (y) {
      if (low === null || y < low) low = y;
      if (high === null || y > high) high = y;
    });
  });
  ["kg-year-from", "kg-year-to"].forEach(function (id) {
    var box = document.getElementById(id);
    if (low !== null) {
      box.min = low;
      box.max = high;
    } else {
      box.disabled = true;
    }
    box.placeholder = id === "kg-year-from" ? (low === null ? "" : String(low)) : (high === null ? "" : String(high));
    box.addEventListener("change", function () {
      var value = box.value.trim() === "" ? null : parseInt(box.value, 10);
      if (id === "kg-year-from") state.from = value; else state.to = value;
      applyFilters();
    });
  });
}

function isMarked(i) {
  if (state.highlight === "rising") return D.time.trend[i] > 1;
  if (state.highlight === "falling") return D.time.trend[i] < 1;
  if (state.highlight === "new") return D.time.first[i] >= state.since;
  return false;
}

function highlightName() {
  return state.highlight === "new" ? "new since " + D.time.periods[state.since] : state.highlight;
}

function mark() {
  nMarked = 0;
  for (var i = 0; i < N; i++) {
    marked[i] = state.highlight && isMarked(i) ? 1 : 0;
    nMarked += marked[i];
  }
  applyFilters();
}

function sparkline(counts, title) {
  // Papers per period as a small line; the counts in its title (a tooltip); open dots: partial.
  var w = 300, h = 40, top = Math.max.apply(null, counts.concat([1]));
  var step = (w - 6) / Math.max(counts.length - 1, 1);
  var svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "kg-spark");
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("role", "img");
  var tip = document.createElementNS(SVG, "title");
  tip.textContent = title + ": " + counts.map(function (k, j) { return D.time.periods[j] + ": " + k; }).join(", ");
  svg.appendChild(tip);
  var points = counts.map(function (k, j) { return [3 + j * step, h - 3 - (h - 6) * k / top]; });
  var line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", points.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#2f6db5");
  line.setAttribute("stroke-width", "1.5");
  svg.appendChild(line);
  D.time.partial.forEach(function (j) {
    var dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", points[j][0]);
    dot.setAttribute("cy", points[j][1]);
    dot.setAttribute("r", "2.5");
    dot.setAttribute("fill", "#fff");
    dot.setAttribute("stroke", "#2f6db5");
    svg.appendChild(dot);
  });
  return svg;
}

function setupTime() {
  if (!D.time) return;
  var T = D.time;
  document.getElementById("kg-time").hidden = false;
  var n = T.periods.length;
  document.getElementById("kg-time-note").textContent = "(papers per " + T.by + ", " + T.periods[0] + (n > 1 ? " … " + T.periods[n - 1] : "") + ")";
  document.getElementById("kg-time-spark").appendChild(sparkline(T.papers, "papers per " + T.by));
  var rising = 0, falling = 0;
  T.trend.forEach(function (b) { if (b > 1) rising++; else if (b < 1) falling++; });
  var options = document.getElementById("kg-highlight").options;
  options[1].textContent = "rising (" + rising + ")";
  options[2].textContent = "falling (" + falling + ")";
  var since = document.getElementById("kg-since");
  T.periods.forEach(function (label, j) {
    var option = el("option", label);
    option.value = String(j);
    since.appendChild(option);
  });
  since.value = String(T.since);
  document.getElementById("kg-time-help").textContent = "Rising and falling: the share of papers naming a concept since " + T.periods[T.since] + " against the " + T.by + "s before (95% sure; kg trends DIR). New: first named in or after the chosen " + T.by + ".";
  document.getElementById("kg-highlight").addEventListener("change", function (event) {
    state.highlight = event.target.value;
    mark();
  });
  since.addEventListener("change", function () {
    state.since = parseInt(since.value, 10);
    if (state.highlight !== "new") document.getElementById("kg-highlight").value = state.highlight = "new";
    mark();
  });
}

function timePanel(box, i, panel) {
  var T = D.time;
  if (!T || T.first[i] < 0) return;
  var b = T.trend[i];
  if (b !== 1) {
    var words = b > 1
      ? "Rising: its share of papers grew at least ×" + b.toFixed(2)
      : "Falling: its share of papers shrank to at most ×" + b.toFixed(2);
    box.appendChild(el("p", words + " since " + T.periods[T.since] + " (95% sure)", "kg-trend " + (b > 1 ? "kg-rising" : "kg-falling")));
  }
  if (panel.counts) {
    box.appendChild(el("h4", "Papers per " + T.by));
    box.appendChild(sparkline(panel.counts, "papers naming it per " + T.by));
  }
  var first = "First named " + T.periods[T.first[i]];
  if (T.first[i] >= state.since) first += ": new since " + T.periods[state.since];
  box.appendChild(el("div", first, "kg-muted kg-first"));
}

function matches(query, limit) {
  var q = query.trim().toLowerCase();
  if (!q) return [];
  if (lowerNames === null) {
    lowerNames = D.name.map(function (name, i) {
      return [name.toLowerCase()].concat(D.aliases[i].map(function (a) { return a.toLowerCase(); }));
    });
  }
  var found = [];
  for (var i = 0; i < N; i++) {
    var rank = 0;
    lowerNames[i].forEach(function (s, k) {
      // The whole name, then a whole alias, then a prefix, then a part of either.
      var r = s === q ? (k === 0 ? 4 : 3) : s.indexOf(q) === 0 ? 2 : s.indexOf(q) > 0 ? 1 : 0;
      if (r > rank) rank = r;
    });
    if (rank) found.push([rank, D.count[i], i]);
  }
  found.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1] || a[2] - b[2]; });
  return found.slice(0, limit).map(function (f) { return f[2]; });
}

function showResults(list) {
  var box = document.getElementById("kg-results");
  box.replaceChildren();
  list.forEach(function (i) {
    var item = el("li");
    var button = el("button");
    button.type = "button";
    button.appendChild(el("span", D.name[i] + " "));
    button.appendChild(el("small", D.types[D.type[i]] + " · " + D.count[i] + " papers"));
    button.addEventListener("click", function () { box.hidden = true; select(D.key[i], true); });
    item.appendChild(button);
    box.appendChild(item);
  });
  box.hidden = list.length === 0;
}

function setupSearch() {
  var input = document.getElementById("kg-search-box");
  var status = document.getElementById("kg-search-status");
  input.addEventListener("input", later(function () { showResults(matches(input.value, 12)); }));
  var find = later(function () {
    document.getElementById("kg-results").hidden = true;
    var best = matches(input.value, 1);
    status.textContent = best.length ? "found: " + D.name[best[0]] : "no concept named “" + input.value.trim() + "”";
    if (best.length) select(D.key[best[0]], true);
  });
  document.getElementById("kg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    find();
  });
}

function paperYearShown(year) {
  if (state.from === null && state.to === null) return true;
  return year !== null && (state.from === null || year >= state.from) && (state.to === null || year <= state.to);
}

function drawPapers() {
  // The papers naming the shown concepts (in the year range), as nodes beside them.
  var t0 = performance.now();
  var g = withoutPapers();  // built aside, then handed to sigma at once (one by one is far slower)
  papersOf = [];  // a concept's drawn papers; their links are drawn while one of the two is selected
  for (var i = 0; i < N; i++) papersOf.push([]);
  var picked = [];
  for (var j = 0; j < PD.rows.length; j++) {
    if (!paperYearShown(PD.rows[j][2])) continue;
    var n = 0;
    for (var k = PD.start[j]; k < PD.start[j + 1]; k++) n += shown[PD.concepts[k]];
    if (n) picked.push([n, j]);
  }
  picked.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
  var drawn = picked.slice(0, MAX_PAPERS);
  var spread = paperSpread();
  drawn.forEach(function (row) {
    var j = row[1], key = "paper:" + PD.rows[j][0], x = 0, y = 0, m = 0;
    for (var k = PD.start[j]; k < PD.start[j + 1]; k++) {
      var c = PD.concepts[k];
      if (shown[c]) { x += D.x[c]; y += D.y[c]; m++; }
    }
    var angle = j * 2.399963, r = spread * (0.35 + 0.65 * ((j * 0.618034) % 1));  // golden-angle jitter
    g.addNode(key, { paper: true, j: j, x: x / m + r * Math.cos(angle), y: y / m + r * Math.sin(angle), size: 2.5, label: PD.rows[j][1], color: PAPER_COLOUR });
    for (var q = PD.start[j]; q < PD.start[j + 1]; q++) if (shown[PD.concepts[q]]) papersOf[PD.concepts[q]].push(key);
  });
  var note = "drawing " + drawn.length + " papers" + (picked.length > drawn.length ? " of the " + picked.length + " (those naming most shown concepts first)" : "");
  document.getElementById("kg-papers-note").textContent = note;
  useGraph(g);
  if (state.selected !== null) linkPapers(graph.getNodeAttribute(state.selected, "i"));
  window.kgPapersMs = performance.now() - t0;
}

var SPREAD = null;
var papersOf = null;

function linkPapers(i) {
  // A selected concept's drawn papers, linked to it while it is selected.
  state.nearPapers = new Set(papersOf === null ? [] : papersOf[i]);
  state.nearPapers.forEach(function (key) { graph.addEdge(key, D.key[i], { p: key, a: i, extra: true }); });
}

function paperSpread() {
  if (SPREAD === null) {
    var extent = 0;
    for (var i = 0; i < N; i++) extent = Math.max(extent, Math.abs(D.x[i]), Math.abs(D.y[i]));
    SPREAD = 0.012 * (extent || 1);
  }
  return SPREAD;
}

function withoutPapers() {
  // A copy of the graph without paper nodes (a selected paper is let go).
  if (state.selected !== null && graph.getNodeAttribute(state.selected, "paper")) clearSelection();
  state.nearPapers = new Set();
  var g = graph.copy();
  g.filterNodes(function (key, attrs) { return attrs.paper; }).forEach(function (key) { g.dropNode(key); });
  return g;
}

function useGraph(g) {
  graph = g;
  renderer.setGraph(g);
  window.kgAtlas.graph = g;
}

function removePapers() {
  useGraph(withoutPapers());
  papersOf = null;
}

function setupPapers() {
  var box = document.getElementById("kg-show-papers");
  box.addEventListener("change", later(function () {
    if (!box.checked) {
      if (state.papers) removePapers();
      state.papers = false;
      document.getElementById("kg-papers-note").textContent = "";
      useReducers();
      return;
    }
    if (PD === null) document.getElementById("kg-papers-note").textContent = "unpacking the papers…";
    unpack("kg-paper-data").then(function (value) {
      PD = value;
      if (!box.checked || state.papers) return;  // unticked meanwhile, or drawn already
      state.papers = true;
      drawPapers();
      useReducers();
    });
  }));
}

function selectPaper(key, move) {
  state.selected = key;
  dropExtraLinks();
  var j = graph.getNodeAttribute(key, "j");
  state.near = new Set();
  for (var k = PD.start[j]; k < PD.start[j + 1]; k++) {
    var c = PD.concepts[k];
    if (shown[c]) {
      state.near.add(D.key[c]);
      graph.addEdge(key, D.key[c], { p: key, a: c, extra: true });
    }
  }
  state.nearPapers = new Set();
  showPaperPanel(graph.getNodeAttribute(key, "j"));
  useReducers();
  if (move) moveTo(key);
}

function showPaperPanel(j) {
  var row = PD.rows[j];
  var box = document.getElementById("kg-panel");
  box.replaceChildren(el("h3", row[1]));
  box.appendChild(el("div", "Paper " + row[0] + (row[2] ? " · " + row[2] : ""), "kg-muted"));
  var url = safeUrl(row[3]);
  if (url) {
    var link = el("a", url);
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    box.appendChild(link);
  }
  var count = PD.start[j + 1] - PD.start[j];
  box.appendChild(el("h4", "Concepts (" + count + ")"));
  var chips = el("div", null, "kg-near");
  for (var k = PD.start[j]; k < PD.start[j + 1]; k++) chips.appendChild(conceptButton(PD.concepts[k]));
  box.appendChild(chips);
}

function moveTo(key) {
  var at = renderer.getNodeDisplayData(key);
  renderer.getCamera().animate({ x: at.x, y: at.y, ratio: 0.2 }, { duration: 400 });
}

var keyIndex = null;

function indexOf(key) {
  if (keyIndex === null) {
    keyIndex = new Map();
    for (var n = 0; n < N; n++) keyIndex.set(D.key[n], n);
  }
  return keyIndex.get(key);
}

function select(key, move) {
  if (graph.hasNode(key) && graph.getNodeAttribute(key, "paper")) return selectPaper(key, move);
  var i = indexOf(key);
  if (i === undefined) return;  // a paper that is not drawn
  dropExtraLinks();
  drawConcept(i);  // a found concept of the long tail is drawn while selected
  if (!shown[i]) {  // a found concept is shown even if a filter hid it
    state.hiddenTypes.delete(D.type[i]);
    var box = document.querySelector('input.kg-kind[data-kind="' + D.type[i] + '"]');
    if (box) box.checked = true;
    state.from = state.to = null;
    document.getElementById("kg-year-from").value = "";
    document.getElementById("kg-year-to").value = "";
    applyFilters();
  }
  state.selected = key;
  linksOf(i).forEach(function (j) { addLink(i, j, true); });
  state.near = new Set(graph.neighbors(key));
  if (state.papers) linkPapers(i);
  showPanel(i);
  useReducers();
  if (move) moveTo(key);
}

function clearSelection() {
  state.selected = null;
  state.near = new Set();
  state.nearPapers = new Set();
  dropExtraLinks();
  useReducers();
}

function conceptButton(j) {
  var chip = el("button", D.name[j], "kg-chip");
  chip.type = "button";
  chip.addEventListener("click", function () { select(D.key[j], true); });
  return chip;
}

function panelBlock(i) {
  return "kg-panel-" + Math.floor(i / D.panel_chunk);
}

function showPanel(i) {
  // Once its block and the paper rows are unpacked (at once if they are), unless another
  // concept is picked meanwhile.
  var key = state.selected;
  return Promise.all([unpack("kg-panel-papers"), unpack(panelBlock(i))]).then(function (found) {
    P = found[0];
    if (state.selected === key) fillPanel(i, found[1][i % D.panel_chunk]);
  });
}

function fillPanel(i, panel) {
  var box = document.getElementById("kg-panel");
  box.replaceChildren(el("h3", D.name[i]));
  box.appendChild(el("div", D.types[D.type[i]] + " · " + D.count[i] + " papers", "kg-muted"));
  timePanel(box, i, panel);
  if (panel.votes && panel.votes.length) {
    box.appendChild(el("h4", "Why this type"));
    var votes = el("ul", null, "kg-votes");
    panel.votes.forEach(function (vote) {
      votes.appendChild(el("li", vote[0] + " in " + vote[2] + (vote[2] === 1 ? " paper" : " papers") + ", found by " + vote[1]));
    });
    box.appendChild(votes);
  }
  var why = {};
  panel.merged.forEach(function (note) {
    var cut = note.indexOf(": ");
    if (cut > 0) why[note.slice(0, cut)] = note.slice(cut + 2);
  });
  if (D.aliases[i].length) {
    box.appendChild(el("h4", "Aliases"));
    var aliases = el("ul", null, "kg-aliases");
    D.aliases[i].forEach(function (alias) {
      var item = el("li", alias);
      if (why[alias]) item.appendChild(el("span", " — " + why[alias], "kg-muted"));
      aliases.appendChild(item);
    });
    box.appendChild(aliases);
  }
  var near = Array.from(state.near).sort(function (a, b) {
    return D.count[graph.getNodeAttribute(b, "i")] - D.count[graph.getNodeAttribute(a, "i")];
  });
  if (near.length) {
    box.appendChild(el("h4", "Linked concepts (" + near.length + ")"));
    var chips = el("div", null, "kg-near");
    near.slice(0, 30).forEach(function (key) { chips.appendChild(conceptButton(graph.getNodeAttribute(key, "i"))); });
    box.appendChild(chips);
  }
  var evidence = {};
  panel.evidence.forEach(function (row) { evidence[row[0]] = row; });
  box.appendChild(el("h4", "Papers (" + (panel.papers.length < D.count[i] ? "newest " + panel.papers.length + " of " + D.count[i] : D.count[i]) + ")"));
  var list = el("ul", null, "kg-papers");
  panel.papers.forEach(function (row) {
    var paper = P[row[0]];
    var item = el("li");
    var url = safeUrl(paper[3]);
    var title = el(url ? "a" : "span", paper[1]);
    if (url) {
      title.href = url;
      title.target = "_blank";
      title.rel = "noopener noreferrer";
    }
    item.appendChild(title);
    item.appendChild(el("span", " " + (paper[2] ? paper[2] + " · " : "") + ROLES[row[1]], "kg-muted"));
    var ev = evidence[paper[0]];
    if (ev) {
      item.appendChild(el("div", "found by " + ev[1] + " in:", "kg-muted"));
      item.appendChild(el("blockquote", ev[2]));
    }
    list.appendChild(item);
  });
  box.appendChild(list);
  box.appendChild(el("p", "Every paper with its sentence: kg explain DIR \"" + D.name[i] + "\"", "kg-muted"));
}

function markReady() {
  document.body.classList.add("kg-stable");
  window.kgReadyMs = performance.now();
  timings.ready = window.kgReadyMs;
  window.kgTimings = timings;
}

function whole() {
  // The map's other blocks (the concepts not drawn first, every link), unpacked one after the
  // other and joined to the first frame's columns (a promise, once). Everything but the first
  // frame waits for it: search, filters, clicks, the tail, the papers, the time section.
  if (full === null) {
    full = D.rest.reduce(function (done, id) {
      return done.then(function () { return unpack(id); }).then(function (block) {
        if (Array.isArray(block)) {
          links.push(block);
        } else {
          Object.keys(block).forEach(function (name) {
            var into = D[name], add = block[name];
            for (var k = 0; k < add.length; k++) into.push(add[k]);
          });
        }
      });
    }, Promise.resolve()).then(function () {
      D.links = [].concat.apply([], links);
      if (D.time) {
        D.time.first = D.time_first;
        D.time.trend = D.time_trend;
      }
      years();
      setupTail();
      setupTime();
      timings.full = performance.now();
      window.kgTimings = timings;
    });
    var links = [];
  }
  return full;
}

function later(fn) {
  // fn once the whole map is unpacked: at once (in the same task) when it is.
  return function () {
    var self = this, args = arguments;
    return whole().then(function () { return fn.apply(self, args); });
  };
}

function extent() {
  return { x: [D.bbox[0], D.bbox[1]], y: [D.bbox[2], D.bbox[3]] };
}

function draw() {
  applyFilters();
  setupPapers();
  document.querySelectorAll("input.kg-kind").forEach(function (box) {
    box.addEventListener("change", later(function () {
      var kind = parseInt(box.dataset.kind, 10);
      if (box.checked) state.hiddenTypes.delete(kind); else state.hiddenTypes.add(kind);
      applyFilters();
    }));
  });
  document.querySelectorAll("input[name=kg-colour]").forEach(function (radio) {
    radio.addEventListener("change", later(function () { state.colour = radio.value; useReducers(); }));
  });
  setupSearch();
  if (!N) {
    document.getElementById("kg-empty").hidden = false;
    markReady();
    setTimeout(prefetch, 0);
    return;
  }
  build(NF);
  applyFilters();
  timings.built = performance.now();
  try {
    // Made on an empty graph, so that the frame is set before the first (costly) drawing.
    renderer = new Sigma(new graph.constructor({ type: "undirected" }), document.getElementById("kg-atlas"), {
      nodeReducer: null,
      edgeReducer: null,
      // Points and 1-pixel lines: the cheapest programs, so 100,000 concepts draw in seconds.
      defaultNodeType: "point",
      nodeProgramClasses: { point: Sigma.rendering.NodePointProgram },
      defaultEdgeType: "line",
      edgeProgramClasses: { line: Sigma.rendering.EdgeLineProgram },
      labelDensity: 0.4,
      labelGridCellSize: 140,
      labelRenderedSizeThreshold: 7,
      labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      labelSize: 12,
      hideEdgesOnMove: N > 20000,
      minCameraRatio: 0.005,
      maxCameraRatio: 4
    });
  } catch (err) {
    var empty = document.getElementById("kg-empty");
    empty.textContent = "This browser cannot draw the atlas (WebGL is off): " + err;
    empty.hidden = false;
    markReady();
    return;
  }
  // The whole map's frame, so that concepts drawn later (the tail) do not rescale it.
  if (NF < N) renderer.setCustomBBox(extent());
  renderer.setGraph(graph);
  timings.drawn = performance.now();
  renderer.on("clickNode", later(function (event) { select(event.node, false); }));
  renderer.on("clickStage", later(clearSelection));
  window.kgAtlas = { graph: graph, renderer: renderer, state: state, select: later(select), shown: shown, marked: marked };
  requestAnimationFrame(function () { requestAnimationFrame(function () { markReady(); setTimeout(prefetch, 0); }); });
}

function prefetch() {
  // The rest of the map, then the other blocks, one after the other (each a short task, so
  // clicks are answered between), while the page is idle: the first click finds its panel.
  if (window.kgNoPrefetch) return;  // (tests: to open panels before their block is unpacked)
  whole().then(function () {
    return allBlocks().reduce(function (done, id) { return done.then(function () { return unpack(id); }); }, Promise.resolve());
  });
}

function start(data) {
  D = data;
  timings.parsed = performance.now();
  N = D.n;
  NF = D.n_first;
  state.since = D.time ? D.time.since : 0;
  shown = new Uint8Array(N);
  drawn = new Uint8Array(N);
  marked = new Uint8Array(N);
  draw();
}

function cannotOpen(err) {
  var empty = document.getElementById("kg-empty");
  var needs = typeof DecompressionStream === "undefined" ? " (it needs DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later)" : "";
  empty.textContent = "This browser cannot open the atlas" + needs + ": " + err;
  empty.hidden = false;
  markReady();
}

try {
  unpack("kg-data").then(start, cannotOpen);
} catch (err) {
  cannotOpen(err);
}
