// A source's citation chain as a layered SVG graph, left to right: the source, what it cites, what those cite, down to
// the origins (an article citing the Washington Post citing a leaked document is a chain of three). A source that is
// part of another (a document of a leak) points to it with a dashed edge. Each node links to its source's view.

import { getData } from "./api.js";
import { en, h, routes, s, svgRuns, term } from "./dom.js";

const NODE_W = 190;
const NODE_H = 62;
const GAP_X = 50;
const GAP_Y = 18;
const ARCS = 56; // room above the nodes for edges that skip a layer

/** Every source upstream of `root` (a SourcePublic), fetched from the API: Map id → SourcePublic. */
export async function upstream(root) {
  const nodes = new Map([[root.id, root]]);
  let frontier = [root];
  while (frontier.length) {
    const wanted = [...new Set(frontier.flatMap((n) => [...n.cites, ...(n.part_of ? [n.part_of] : [])]))].filter((id) => !nodes.has(id));
    const fetched = await Promise.all(wanted.map((id) => getData(`/v1/sources/${encodeURIComponent(id)}`).catch(() => null)));
    frontier = fetched.filter(Boolean);
    for (const node of frontier) nodes.set(node.id, node);
  }
  return nodes;
}

function lines(text, width, count) {
  const words = text.split(/\s+/);
  const out = [""];
  for (const word of words) {
    const last = out.length - 1;
    if ((out[last] + " " + word).trim().length <= width) out[last] = (out[last] + " " + word).trim();
    else if (out.length < count) out.push(word);
    else {
      out[last] = out[last].replace(/.?$/, "…");
      break;
    }
  }
  return out;
}

/** The graph of `nodes` (from upstream()) drawn from `rootId`; layers by longest citation path. */
export function citationGraph(rootId, nodes) {
  const edges = [];
  for (const node of nodes.values()) {
    for (const id of node.cites) if (nodes.has(id)) edges.push([node.id, id, "cites"]);
    if (node.part_of && nodes.has(node.part_of)) edges.push([node.id, node.part_of, "part of"]);
  }
  const layer = new Map([[rootId, 0]]);
  for (let changed = true, rounds = 0; changed && rounds < nodes.size + 1; rounds++) {
    changed = false;
    for (const [from, to] of edges) {
      if (layer.has(from) && (layer.get(to) ?? -1) < layer.get(from) + 1) {
        layer.set(to, layer.get(from) + 1);
        changed = true;
      }
    }
  }
  const columns = [];
  for (const [id, l] of layer) (columns[l] ||= []).push(id);
  const tallest = Math.max(...columns.map((c) => c.length));
  const width = columns.length * (NODE_W + GAP_X) - GAP_X + 20;
  const height = tallest * (NODE_H + GAP_Y) - GAP_Y + 20 + ARCS;
  const position = new Map();
  columns.forEach((ids, l) => {
    const offset = ARCS + (height - ARCS - (ids.length * (NODE_H + GAP_Y) - GAP_Y)) / 2;
    ids.forEach((id, i) => position.set(id, { x: 10 + l * (NODE_W + GAP_X), y: offset + i * (NODE_H + GAP_Y) }));
  });
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "citation-graph", role: "group",
    "aria-labelledby": "graph-title", lang: "en" },
    s("title", { id: "graph-title" }, `Citation chain: ${nodes.size} sources, ${edges.length} links. The same chain is listed after the graph.`),
    s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));
  for (const [from, to, kind] of edges) {
    const a = position.get(from);
    const b = position.get(to);
    let d;
    if (layer.get(to) - layer.get(from) > 1) {
      // Past the nodes in between: an arc over them, from the top of one to the top of the other.
      const x1 = a.x + NODE_W * 0.75;
      const x2 = b.x + NODE_W * 0.25;
      const top = Math.min(a.y, b.y) - ARCS + 8;
      d = `M ${x1} ${a.y} C ${x1} ${top}, ${x2} ${top}, ${x2} ${b.y}`;
    } else {
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const bend = Math.max(20, (x2 - x1) / 2);
      d = `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
    }
    svg.append(s("path", { d, class: `edge edge-${kind.replace(" ", "-")}`, "marker-end": "url(#arrow)", dataset: { from, to } }));
  }
  for (const [id, { x, y }] of position) {
    const node = nodes.get(id);
    const title = lines(node.title, 26, 2);
    const group = s("a", { href: routes.source(id), class: `node${id === rootId ? " root" : ""}`, dataset: { source: id } },
      s("title", {}, node.title),
      s("rect", { x, y, width: NODE_W, height: NODE_H, rx: 6 }),
      s("text", { x: x + 8, y: y + 18, class: "node-kind" }, `${term(node.kind)}${node.published ? ` · ${node.published.date}` : ""}`),
      title.map((line, i) => s("text", { x: x + 8, y: y + 36 + i * 16, class: "node-title" }, svgRuns(line))));
    svg.append(group);
  }
  return h("div", { class: "graph-scroll", tabindex: "0", role: "region", "aria-label": "Citation graph (scrolls sideways on a narrow screen)" }, svg);
}

/** The same chain as nested lists, for reading without the picture. */
export function chainList(rootId, nodes, seen = new Set()) {
  const node = nodes.get(rootId);
  seen.add(rootId);
  const children = [...node.cites.map((id) => [id, "cites"]), ...(node.part_of ? [[node.part_of, "is part of"]] : [])]
    .filter(([id]) => nodes.has(id) && !seen.has(id));
  if (!children.length) return null;
  return h("ul", { class: "chain" }, children.map(([id, how]) => h("li", {}, `${how} `,
    h("a", { href: routes.source(id) }, en(nodes.get(id).title)), chainList(id, nodes, new Set(seen)))));
}
