// A proposition's story as an SVG timeline: one row per claim, in the API's time order, each a bar over the days its
// date covers (a month is a span, not a point), coloured by modality and polarity; the contradictions among the claims
// drawn as columns on the right joining the claims they oppose (filled: side a, hollow: side b).

import { firstDay, formatDays, lastDay, MONTHS, DAY_MS } from "./dates.js";
import { en, h, routes, s, svgRuns, term } from "./dom.js";

/** The colour class of a claim: its modality, and "negated" when its polarity is. */
export function tone(claim) {
  const modality = ["actual", "planned", "abandoned", "refused", "expected", "intended", "willing", "considered", "possible",
    "conditional", "normative"].includes(claim.modality) ? claim.modality : "other";
  return `tone-${modality}${claim.polarity === "negated" ? "-negated" : ""}`;
}

const ROW = 46;
const TOP = 36;
const LABEL = 300;
const COLUMN = 34;

function ticks(from, to) {
  const years = to.getUTCFullYear() - from.getUTCFullYear();
  const out = [];
  if (years >= 3) {
    const step = Math.ceil(years / 10);
    for (let y = from.getUTCFullYear(); y <= to.getUTCFullYear() + 1; y += step) out.push([new Date(Date.UTC(y, 0, 1)), String(y)]);
    return out;
  }
  const months = years * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
  const step = months > 24 ? 6 : months > 12 ? 3 : months > 6 ? 2 : 1;
  for (let d = new Date(Date.UTC(from.getUTCFullYear(), 0, 1)); d <= to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step, 1))) {
    if (d >= from) out.push([d, d.getUTCMonth() === 0 ? `${MONTHS[0]} ${d.getUTCFullYear()}` : MONTHS[d.getUTCMonth()]]);
  }
  return out;
}

function wrap(text, width) {
  return text.length > width ? text.slice(0, width - 1) + "…" : text;
}

/**
 * The timeline figure for `claims` (PropositionClaim, in order) and `contradictions` (ContradictionPublic, with sides).
 * Claims without a date are listed under the chart, not placed on it.
 */
export function timeline(claims, contradictions) {
  const dated = claims.filter((c) => c.date_from && c.date_to);
  const starts = dated.map((c) => firstDay(c.date_from));
  const ends = dated.map((c) => lastDay(c.date_to));
  const min = new Date(Math.min(...starts));
  const max = new Date(Math.max(...ends));
  const from = new Date(Date.UTC(min.getUTCFullYear(), min.getUTCMonth(), 1));
  const to = new Date(Date.UTC(max.getUTCFullYear(), max.getUTCMonth() + 1, 1));
  const columns = contradictions.length * COLUMN + (contradictions.length ? 24 : 0);
  const width = 980;
  const trackStart = LABEL + 16;
  const trackEnd = width - columns - 12;
  const x = (date) => trackStart + ((date - from) / (to - from)) * (trackEnd - trackStart);
  // Room above the rows for the columns' labels, written upwards.
  const headerHeight = TOP + (contradictions.length ? 120 : 0);
  const height = headerHeight + dated.length * ROW + 28;
  const rowOf = new Map(dated.map((c, i) => [c.id, i]));
  const rowY = (i) => headerHeight + i * ROW;

  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "timeline", role: "group",
    "aria-labelledby": "timeline-title timeline-desc", lang: "en" },
    s("title", { id: "timeline-title" }, "Timeline of the claims"),
    s("desc", { id: "timeline-desc" }, `${dated.length} claims placed on the days their dates cover, in the order the API tells the story;` +
      ` ${contradictions.length} contradictions join the claims they oppose. The same claims are listed after the chart.`),
    s("defs", {}, s("pattern", { id: "hatch", patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)" },
      s("rect", { width: 3, height: 6, fill: "#ffffff", "fill-opacity": "0.55" }))));

  // Axis: gridlines and labels.
  const axis = s("g", { class: "axis" });
  for (const [date, label] of ticks(from, to)) {
    const tx = x(date);
    axis.append(s("line", { x1: tx, x2: tx, y1: headerHeight - 26, y2: height - 24, class: "grid" }),
      tx < trackEnd - 40 ? s("text", { x: tx + 3, y: headerHeight - 12, class: "tick" }, label) : null,
      tx < trackEnd - 40 ? s("text", { x: tx + 3, y: height - 8, class: "tick" }, label) : null);
  }
  svg.append(axis);

  // Contradiction columns: a header naming the kind, then a line joining its members, side a filled, side b hollow.
  contradictions.forEach((c, k) => {
    const cx = trackEnd + 24 + k * COLUMN + COLUMN / 2;
    const rows = c.claims.filter((m) => rowOf.has(m.claim_id)).map((m) => [rowOf.get(m.claim_id), m.side]);
    if (!rows.length) return;
    const ys = rows.map(([i]) => rowY(i) + ROW / 2);
    const group = s("a", { href: routes.contradiction(c.id), class: "contradiction-column", dataset: { contradiction: c.id } },
      s("title", {}, `${term(c.kind)} (${c.status}): ${c.explanation}`),
      s("text", { x: cx + 4, y: headerHeight - 12, transform: `rotate(-90 ${cx + 4} ${headerHeight - 12})`, class: "column-label" }, wrap(term(c.kind), 18)),
      s("line", { x1: cx, x2: cx, y1: Math.min(...ys), y2: Math.max(...ys), class: `join status-${c.status}` }));
    for (const [i, side] of rows) {
      const cy = rowY(i) + ROW / 2;
      group.append(s("line", { x1: trackEnd + 6, x2: cx, y1: cy, y2: cy, class: "tie" }),
        s("circle", { cx, cy, r: 6, class: side === "a" ? "side-a" : "side-b" }));
    }
    svg.append(group);
  });

  // Rows: the claim's step and claimant at the left, its bar on the track.
  dated.forEach((claim, i) => {
    const y = rowY(i);
    const start = firstDay(claim.date_from);
    const end = new Date(+lastDay(claim.date_to) + DAY_MS);
    const x1 = x(start);
    const barWidth = Math.max(6, x(end) - x1);
    const when = formatDays(claim.date_from, claim.date_to);
    const row = s("a", { href: routes.claim(claim.id), class: "timeline-row", dataset: { claim: claim.id, from: claim.date_from, to: claim.date_to } },
      s("title", {}, `${claim.statement} (${when}, dated by ${claim.dated_by === "event" ? "its event time" : claim.dated_by === "published" ? "its publication" : "nothing"})`),
      s("rect", { x: 0, y: y + 2, width, height: ROW - 4, class: "row-bg" }),
      s("text", { x: 8, y: y + 19, class: "step" }, wrap(claim.step, 36)),
      s("text", { x: 8, y: y + 37, class: "who" }, svgRuns(wrap(`${claim.claimant.name} · ${when}`, 44))),
      s("rect", { x: x1, y: y + 11, width: barWidth, height: ROW - 22, rx: 3, class: `bar ${tone(claim)} dated-${claim.dated_by}` }),
      claim.polarity === "negated" ? s("rect", { x: x1, y: y + 11, width: barWidth, height: ROW - 22, rx: 3, fill: "url(#hatch)", class: "hatch" }) : null);
    svg.append(row);
  });
  return h("div", { class: "timeline-scroll", tabindex: "0", role: "region", "aria-label": "Timeline (scrolls sideways on a narrow screen)" }, svg);
}

/** The legend of the colours and lines actually used. */
export function legend(claims, contradictions = []) {
  const settled = contradictions.some((c) => ["reconciled", "rejected", "withdrawn"].includes(c.status));
  const standing = contradictions.some((c) => !["reconciled", "rejected", "withdrawn"].includes(c.status));
  const seen = new Map();
  for (const c of claims) seen.set(tone(c), `${term(c.modality)}${c.polarity === "negated" ? ", negated" : ""}`);
  return h("ul", { class: "legend", "aria-label": "Legend" },
    [...seen].map(([cls, label]) => h("li", {}, h("span", { class: `swatch ${cls}${cls.endsWith("-negated") ? " hatched" : ""}`, "aria-hidden": "true" }), en(label))),
    h("li", {}, h("span", { class: "swatch dashed", "aria-hidden": "true" }), en("dated by its publication (no event date given)")),
    h("li", {}, h("span", { class: "dot side-a", "aria-hidden": "true" }), en("side a of a contradiction")),
    h("li", {}, h("span", { class: "dot side-b", "aria-hidden": "true" }), en("side b")),
    standing ? h("li", {}, h("span", { class: "rule standing", "aria-hidden": "true" }), en("contradiction standing (open, proposed, confirmed, resolved)")) : null,
    settled ? h("li", {}, h("span", { class: "rule settled", "aria-hidden": "true" }), en("contradiction reconciled, rejected or withdrawn")) : null);
}
