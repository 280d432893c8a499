// Sources: the list, and one source with its metadata, its citation chain as a graph, the claims drawn from it and its
// full text when the API holds it (with a range highlighted when the URL names one: ?start=&end=, in code points).

import { getData } from "../api.js";
import { actorLink, badge, en, h, languageName, routes, section } from "../dom.js";
import { formatDateValue } from "../dates.js";
import { chainList, citationGraph, upstream } from "../graph.js";
import { anchor, markedText, reveal } from "../text.js";
import { claimItem, pagedList } from "../ui.js";

export async function sourcesView() {
  return h("div", {}, h("h1", {}, "Sources"),
    await pagedList("/v1/sources", { limit: 50 }, (s) => h("li", {}, badge("kind", s.kind), " ",
      h("a", { href: routes.source(s.id) }, en(s.title)),
      h("span", { class: "muted" }, ` — ${languageName(s.language)}${s.published ? `, ${formatDateValue(s.published)}` : ""}${s.has_text ? ", full text held" : ""}`))));
}

function row(label, ...value) {
  return [h("dt", {}, label), h("dd", {}, ...value)];
}

export async function sourceView([id], q) {
  const source = await getData(`/v1/sources/${encodeURIComponent(id)}`);
  const nodes = await upstream(source);
  const start = Number(q.get("start"));
  const end = Number(q.get("end"));
  const wanted = q.has("start") && q.has("end") && Number.isInteger(start) && Number.isInteger(end) && end > start;
  let textSection = null;
  if (source.text) {
    const range = wanted ? anchor(source.text, { start, end, quote: [...source.text].slice(start, end).join("") }) : null;
    const { box, mark } = markedText(source.text, source.language, range, `Text of ${source.title}`);
    const holder = h("div", { "data-after-render": "" }, wanted ? h("p", {}, `Code points ${start}–${end} are highlighted.`) : null, box);
    holder.addEventListener("rendered", () => reveal(box, mark));
    textSection = section("Text", holder);
  }
  return h("article", { class: "source", dataset: { source: source.id } },
    h("p", { class: "kicker" }, "Source ", h("code", {}, source.id)),
    en(source.title, "h1"),
    h("dl", { class: "structure" },
      row("Kind", badge("kind", source.kind)),
      row("Language", languageName(source.language)),
      row("Published", source.published ? [en(formatDateValue(source.published)), source.published.note ? h("p", { class: "note" }, en(source.published.note)) : null] : "not known"),
      row("Publisher", actorLink(source.publisher)),
      row("Authors", source.authors.length ? source.authors.map((a, i) => [i ? ", " : "", actorLink(a)]) : h("span", { class: "muted" }, "—")),
      source.part_of ? row("Part of", h("a", { href: routes.source(source.part_of) }, en(nodes.get(source.part_of)?.title ?? source.part_of))) : null,
      source.url ? row("Address", h("a", { href: source.url, rel: "noreferrer" }, source.url)) : null,
      row("Claims", String(source.claim_count))),
    source.note ? h("p", { class: "note" }, h("strong", {}, "Note: "), en(source.note)) : null,
    section("Citation chain", nodes.size > 1 ? [citationGraph(source.id, nodes), h("h3", {}, "As a list"),
      h("p", {}, h("a", { href: routes.source(source.id) }, en(source.title))), chainList(source.id, nodes)]
      : h("p", { class: "muted" }, "It cites no source the API knows.")),
    source.cited_by.length ? section("Cited by", h("ul", {}, source.cited_by.map((s) => h("li", {}, h("a", { href: routes.source(s.id) }, en(s.title)))))) : null,
    section("Claims from this source", await pagedList(`/v1/sources/${encodeURIComponent(source.id)}/claims`, { limit: 50 }, claimItem)),
    textSection);
}
