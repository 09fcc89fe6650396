// The interest explorer: plain DOM and SVG over the service's own REST API, no libraries.
"use strict";

const PROJECTION_SAMPLE = 400;
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#ff9da7",
  "#9c755f", "#1f77b4", "#bcbd22", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#aec7e8"];
const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function color(k) {
  return k < PALETTE.length ? PALETTE[k] : `hsl(${(k * 137.5) % 360} 55% 50%)`;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function tooltip(node, text) {
  node.appendChild(svg("title", {}, text));
  return node;
}

function label(item) {
  return item.title || `item #${item.itemId}`;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, init);
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = json && (json.detail || json.title);
    throw new Error(`${path}: ${response.status} ${detail || response.statusText}`);
  }
  return json;
}

function ids(text) {
  const tokens = text.split(/[^0-9-]+/).filter((t) => t !== "" && t !== "-");
  return tokens.map(Number);
}

let model = null;

async function init() {
  const params = new URLSearchParams(location.search);
  try {
    model = await api("/v1/model");
    $("model").innerHTML = "";
    $("model").append("Model ", el("b", {}, model.name), ` (version ${model.version}): `,
      el("b", {}, `${model.interests} interests`), ` of dimension ${model.dim} over ${model.items.toLocaleString()} items; ` +
      `the tower reads the ${model.shortLength} most recent events (short window) and the ${model.longLength} before them (long window).`);
    const demo = await api("/v1/demo-users");
    for (const id of demo.users) $("user").appendChild(el("option", {value: id}, `user ${id}`));
    if (params.get("user")) $("user").value = params.get("user");
    if (params.get("history")) $("history").value = params.get("history");
    if (params.get("candidates")) $("candidates").value = params.get("candidates");
    await show();
  } catch (e) {
    fail(e);
  }
}

function fail(e) {
  $("error").hidden = false;
  $("error").textContent = e.message;
}

async function show() {
  $("error").hidden = true;
  const m = Number($("m").value) || 4;
  const k = Number($("k").value) || 15;
  const pasted = $("history").value.trim();
  const candidates = $("candidates").value.trim();
  const rank = {k, explain: true};
  let interests;
  if (pasted) {
    rank.history = ids(pasted);
    interests = api("/v1/interests", {history: rank.history, m, projection: PROJECTION_SAMPLE});
  } else {
    rank.userId = $("user").value;
    interests = api(`/v1/users/${encodeURIComponent(rank.userId)}/interests?m=${m}&projection=${PROJECTION_SAMPLE}`);
  }
  if (candidates) rank.candidates = ids(candidates);
  const [report, ranked] = await Promise.all([interests, api("/v1/rank", rank)]);
  renderHistory(report);
  renderInterests(report);
  renderHeatmap(report);
  renderProjection(report);
  renderRanking(report, ranked);
  $("results").hidden = false;
  document.body.dataset.ready = "true";
}

function renderHistory(report) {
  const counts = {short: 0, long: 0, outside: 0, unknown: 0};
  for (const e of report.history) counts[e.window]++;
  const parts = [`${report.history.length} events`,
    `${counts.short} in the short window`, `${counts.long} in the long window`];
  if (counts.outside) parts.push(`${counts.outside} older ones the tower does not read`);
  if (counts.unknown) parts.push(`${counts.unknown} not in the catalogue (dropped)`);
  let summary = parts.join(" · ") + ". Most recent first; blue = short window, lilac = long window.";
  if (report.coldStart) summary = "No usable history: a cold start, the interests come from the user features alone. " + summary;
  if (report.fallback) summary = "The history store failed; an empty history was used. " + summary;
  $("history-summary").textContent = summary;
  const list = $("history-list");
  list.replaceChildren();
  for (const e of [...report.history].reverse()) {
    const li = el("li", {class: `history-item ${e.window}`, title: `item ${e.itemId} · ${e.window} window`}, label(e));
    list.appendChild(li);
  }
}

function renderInterests(report) {
  const cards = $("interest-cards");
  cards.replaceChildren();
  for (const interest of report.interests) {
    const card = el("div", {class: "interest-card", style: `--c: ${color(interest.index)}`});
    const h = el("h3", {}, `Interest ${interest.index}`);
    h.appendChild(el("small", {}, `|u| = ${interest.norm.toFixed(2)}`));
    card.appendChild(h);
    const ol = el("ol");
    for (const item of interest.closestItems) {
      const li = el("li", {class: "closest-item", title: `item ${item.itemId}`}, label(item));
      li.appendChild(el("span", {class: "score"}, item.score.toFixed(2)));
      ol.appendChild(li);
    }
    card.appendChild(ol);
    cards.appendChild(card);
  }
}

/** "0–3, 5, 7–8" for sorted indices. */
function ranges(indices) {
  const out = [];
  for (let i = 0; i < indices.length; i++) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    out.push(j - i >= 2 ? `${indices[i]}–${indices[j]}` : indices.slice(i, j + 1).join(", "));
    i = j;
  }
  return out.join(", ");
}

function heat(c) {
  // -1 blue, 0 white, +1 red.
  const t = Math.max(-1, Math.min(1, c));
  const [r, g, b] = t >= 0 ? [255, 255 - 190 * t, 255 - 200 * t] : [255 + 200 * t, 255 + 150 * t, 255];
  return `rgb(${r | 0}, ${g | 0}, ${b | 0})`;
}

function renderHeatmap(report) {
  const cos = report.cosine;
  const n = cos.length;
  const cell = Math.max(14, Math.min(46, Math.floor(380 / n)));
  const pad = 28;
  const node = $("heatmap");
  node.replaceChildren();
  const side = pad + n * cell + 4;
  node.setAttribute("width", side + 70);
  node.setAttribute("height", side);
  // Colour scale beside the matrix: +1 at the top, -1 at the bottom.
  const scaleX = side + 16, scaleH = n * cell;
  for (let s = 0; s < 40; s++) {
    node.appendChild(svg("rect", {x: scaleX, y: pad + (s * scaleH) / 40, width: 12, height: scaleH / 40 + 0.5,
      fill: heat(1 - (2 * s) / 39)}));
  }
  for (const [v, y] of [[1, pad + 4], [0, pad + scaleH / 2 + 4], [-1, pad + scaleH]]) {
    node.appendChild(svg("text", {x: scaleX + 17, y, "font-size": 10, fill: "#5b6675"}, v.toFixed(0)));
  }
  let off = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    node.appendChild(svg("text", {x: pad + i * cell + cell / 2, y: pad - 8, "text-anchor": "middle",
      "font-size": 11, fill: color(i), "font-weight": 700}, String(i)));
    node.appendChild(svg("text", {x: pad - 8, y: pad + i * cell + cell / 2 + 4, "text-anchor": "end",
      "font-size": 11, fill: color(i), "font-weight": 700}, String(i)));
    for (let j = 0; j < n; j++) {
      if (i !== j) { off += cos[i][j]; pairs++; }
      const rect = svg("rect", {class: "cell", x: pad + j * cell, y: pad + i * cell, width: cell - 1,
        height: cell - 1, fill: heat(cos[i][j]), "data-i": i, "data-j": j});
      node.appendChild(tooltip(rect, `cos(interest ${i}, interest ${j}) = ${cos[i][j].toFixed(3)}`));
      if (cell >= 30) {
        node.appendChild(svg("text", {x: pad + j * cell + cell / 2, y: pad + i * cell + cell / 2 + 4,
          "text-anchor": "middle", "font-size": 10, fill: Math.abs(cos[i][j]) > 0.6 ? "#fff" : "#333",
          "pointer-events": "none"}, cos[i][j].toFixed(2)));
      }
    }
  }
  const mean = pairs ? off / pairs : 1;
  let verdict;
  if (mean > 0.95) verdict = "The interests point almost the same way: the model has collapsed them into one.";
  else if (mean > 0.6) verdict = "The interests overlap strongly.";
  else verdict = "The interests are distinct directions.";
  $("heatmap-summary").textContent =
    `Cosine similarity of each pair (1 = same direction, 0 = unrelated, red = similar). ` +
    `Mean over pairs: ${mean.toFixed(2)}. ${verdict}`;
}

function renderProjection(report) {
  const p = report.projection;
  const node = $("projection");
  node.replaceChildren();
  const W = 640, H = 400, M = 34;
  node.setAttribute("viewBox", `0 0 ${W} ${H}`);
  node.setAttribute("width", "100%");
  const points = [...p.items, ...p.interests];
  const xs = points.map((q) => q.x), ys = points.map((q) => q.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => M + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * M);
  const sy = (y) => H - M - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * M);
  node.appendChild(svg("rect", {x: 0, y: 0, width: W, height: H, fill: "#fbfbfc", stroke: "#e3e6ea"}));
  const ev = p.explainedVariance.map((v) => (100 * v).toFixed(0));
  node.appendChild(svg("text", {x: W / 2, y: H - 6, "text-anchor": "middle", "font-size": 11, fill: "#5b6675"},
    `first principal component (${ev[0]}% of the variance)`));
  node.appendChild(svg("text", {x: 12, y: H / 2, "text-anchor": "middle", "font-size": 11, fill: "#5b6675",
    transform: `rotate(-90 12 ${H / 2})`}, `second (${ev[1]}%)`));
  for (const item of p.items.filter((q) => q.closestTo < 0)) {
    node.appendChild(tooltip(svg("circle", {class: "item-point", cx: sx(item.x), cy: sy(item.y), r: 2.2,
      fill: "#9aa3af", "fill-opacity": 0.55}), label(item)));
  }
  for (const item of p.items.filter((q) => q.closestTo >= 0)) {
    node.appendChild(tooltip(svg("circle", {class: "closest-point", cx: sx(item.x), cy: sy(item.y), r: 4,
      fill: color(item.closestTo), stroke: "#fff", "stroke-width": 1}),
      `${label(item)} (closest to interest ${item.closestTo})`));
  }
  // Interests that land on (nearly) the same spot share one label, so a collapsed model reads as such.
  const groups = [];
  for (const q of p.interests) {
    const x = sx(q.x), y = sy(q.y);
    const g = groups.find((o) => Math.hypot(o.x - x, o.y - y) < 12);
    if (g) g.members.push(q.index); else groups.push({x, y, members: [q.index]});
    const dot = svg("g", {class: "interest-point"});
    dot.appendChild(svg("circle", {cx: x, cy: y, r: 10, fill: color(q.index), stroke: "#fff", "stroke-width": 2}));
    dot.appendChild(svg("text", {x, y: y + 4, "text-anchor": "middle", "font-size": 11, "font-weight": 700,
      fill: "#fff"}, String(q.index)));
    node.appendChild(tooltip(dot, `interest ${q.index}`));
  }
  for (const g of groups.filter((o) => o.members.length > 1)) {
    const text = g.members.length === p.interests.length
      ? `all ${g.members.length} interests` : `interests ${ranges(g.members)}`;
    const right = g.x + 15 + 7 * text.length < W;
    node.appendChild(svg("text", {x: right ? g.x + 15 : g.x - 15, y: g.y + 4, "text-anchor": right ? "start" : "end",
      "font-size": 12, "font-weight": 700, fill: "#1d2430", stroke: "#fff", "stroke-width": 3,
      "paint-order": "stroke"}, text));
  }
  $("projection-summary").textContent =
    `Directions (unit vectors) of ${p.items.filter((q) => q.closestTo < 0).length} catalogue items (grey), ` +
    `each interest's closest items (small, coloured) and the interests (numbered), on the two axes along which the items vary most.`;
}

function renderRanking(report, ranked) {
  const legend = $("legend");
  legend.replaceChildren();
  for (const interest of report.interests) {
    legend.appendChild(el("span", {style: `--c: ${color(interest.index)}`}, `interest ${interest.index}`));
  }
  const list = $("ranking");
  list.replaceChildren();
  for (const item of ranked.items) {
    const li = el("li", {class: "ranked-item"});
    li.appendChild(el("span", {class: "title", title: `item ${item.itemId}`}, label(item)));
    li.appendChild(el("span", {class: "score", title: "HCN score (Eq. 8)"}, item.score.toFixed(3)));
    const bar = el("div", {class: "alpha-bar"});
    item.interestWeights.forEach((w, k) => {
      bar.appendChild(el("div", {class: "alpha-seg", "data-interest": k, "data-alpha": w,
        style: `width: ${(100 * w).toFixed(3)}%; background: ${color(k)}`,
        title: `interest ${k}: α = ${w.toFixed(3)}`}));
    });
    li.appendChild(bar);
    list.appendChild(li);
  }
  const scope = ranked.candidatesScored === model.items ? "the whole catalogue" : `${ranked.candidatesScored} candidates`;
  $("ranking-section").querySelector("h2 .hint").textContent =
    ` — top ${ranked.items.length} of ${scope}; each bar shows how the item's score is shared among the interests (softmax weights α, Eq. 8)`;
}

$("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  show().catch(fail);
});
$("user").addEventListener("change", () => { $("history").value = ""; });
init();
