// A claim: its statement and structure, its proposition, each evidence quote highlighted in its source's text (scrolled
// to it, with the prefix/suffix context; a quote in another language beside its English translation), and the
// contradictions and corroborations it takes part in.

import { getData } from "../api.js";
import { actorLink, badge, en, h, langAttrs, languageName, routes, section, term, textIn } from "../dom.js";
import { formatDateValue } from "../dates.js";
import { anchor, markedText, reveal } from "../text.js";
import { problemBox } from "../ui.js";
import { relatedList } from "./relations.js";

function row(label, ...value) {
  return [h("dt", {}, label), h("dd", {}, ...value)];
}

function objectOf(claim) {
  const object = claim.object;
  if (!object) return h("span", { class: "muted" }, "—");
  if (object.actor) return [actorLink(object.actor), object.label ? [" (", en(object.label), ")"] : null];
  return en(object.label);
}

function quantityOf(quantity) {
  if (!quantity) return h("span", { class: "muted" }, "—");
  const value = new Intl.NumberFormat("en").format(quantity.value);
  return en(`${quantity.approximate ? "about " : ""}${value} ${quantity.unit}`);
}

function structure(claim) {
  return h("dl", { class: "structure" },
    row("Subject", actorLink(claim.subject)),
    row("Predicate", h("code", {}, claim.predicate)),
    row("Object", objectOf(claim)),
    row("Recipient", actorLink(claim.recipient)),
    row("Quantity", quantityOf(claim.quantity)),
    row("Location", actorLink(claim.location)),
    row("Modality", badge("modality", claim.modality)),
    row("Polarity", badge("polarity", claim.polarity)),
    row("Evidential", term(claim.evidential)),
    row("Claimant", actorLink(claim.claimant)),
    row("Speakers", claim.speakers.length ? claim.speakers.map((s, i) => [i ? ", " : "", actorLink(s)]) : h("span", { class: "muted" }, "—")),
    row("Event time", claim.event_time ? [en(formatDateValue(claim.event_time)),
      claim.event_time.note ? h("p", { class: "note" }, en(claim.event_time.note)) : null] : h("span", { class: "muted" }, "not stated")),
    row("Proposition", claim.proposition_id ? h("a", { href: routes.proposition(claim.proposition_id) }, "the same thing, as others say it: the story on a timeline")
      : h("span", { class: "muted" }, "—")),
    row("Languages", claim.languages.map((l, i) => [i ? ", " : "", languageName(l)])),
  );
}

const SPEECH = { direct: "direct speech", indirect: "indirect speech", narration: "narration" };

/** The W3C TextQuoteSelector of an evidence item, shown as it reads: …prefix [quote] suffix… */
function selectorLine(item) {
  return h("p", { class: "context", ...langAttrs(item.language) },
    item.prefix ? h("span", { class: "prefix" }, "…", item.prefix) : null,
    h("mark", { class: "context-mark" }, item.quote),
    item.suffix ? h("span", { class: "suffix" }, item.suffix, "…") : null);
}

async function evidenceFigure(item, index, claim) {
  const number = index + 1;
  const bilingual = Boolean(item.translation);
  const figure = h("figure", { class: "evidence", id: `evidence-${number}`, dataset: { source: item.source_id, language: item.language } });
  figure.append(h("figcaption", {},
    h("span", { class: "evidence-number" }, `Evidence ${number} of ${claim.evidence.length}`), " — from ",
    h("a", { href: routes.source(item.source_id, item) }, en(item.source.title)),
    item.source.published ? en(`, ${formatDateValue(item.source.published)}`) : null,
    h("br"), SPEECH[item.speech] || term(item.speech),
    item.speaker ? [" by ", actorLink(item.speaker)] : null,
    item.attributed_to ? [", relayed from ", h("a", { href: routes.source(item.attributed_to.id) }, en(item.attributed_to.title))] : null,
    `; code points ${item.start}–${item.end}`));

  const original = h("div", { class: "original" }, h("h3", {}, `Quote, in ${languageName(item.language)}`));
  original.lastChild.setAttribute("lang", "en");
  const quoteBlock = h("blockquote", { class: "quote", cite: routes.source(item.source_id, item) }, textIn(item.language, item.quote, {}, "p"));
  original.append(quoteBlock, h("h4", {}, "Context (prefix and suffix)"), selectorLine(item));
  const body = h("div", { class: bilingual ? "evidence-body bilingual" : "evidence-body" }, original);
  if (bilingual) {
    body.append(h("div", { class: "translation", lang: "en", dir: "ltr" }, h("h3", {}, "English translation"), h("blockquote", {}, h("p", {}, item.translation))));
  }
  figure.append(body);

  const inSource = h("div", { class: "in-source" }, h("h4", {}, "In the source text"));
  figure.append(inSource);
  let source;
  try {
    source = await getData(`/v1/sources/${encodeURIComponent(item.source_id)}`);
  } catch (error) {
    inSource.append(problemBox(error));
    return figure;
  }
  if (!source.text) {
    inSource.append(h("p", { class: "muted" }, "The API does not hold this source's text; the quote and its context are above."));
    return figure;
  }
  const range = anchor(source.text, item);
  if (!range) {
    inSource.append(h("p", { class: "problem", role: "alert" }, "The quote is no longer found in the source's text, at its offsets or by its context."));
  } else if (range.how === "selector") {
    inSource.append(h("p", { class: "note" }, "The text has changed since the quote's offsets were recorded; it was found again by its prefix and suffix."));
  }
  const { box, mark } = markedText(source.text, source.language, range, `Text of ${source.title}, with the quote highlighted`);
  inSource.append(box);
  figure.setAttribute("data-after-render", "");
  figure.addEventListener("rendered", () => reveal(box, mark));
  return figure;
}

export async function claimView([id]) {
  const claim = await getData(`/v1/claims/${encodeURIComponent(id)}`);
  const figures = await Promise.all(claim.evidence.map((item, i) => evidenceFigure(item, i, claim)));
  return h("article", { class: "claim", dataset: { claim: claim.id } },
    h("p", { class: "kicker" }, "Claim ", h("code", {}, claim.id)),
    en(claim.statement, "h1"),
    h("p", { class: "badges" }, badge("modality", claim.modality), " ", badge("polarity", claim.polarity), " ", badge("evidential", claim.evidential)),
    claim.note ? h("p", { class: "note" }, h("strong", {}, "Note: "), en(claim.note)) : null,
    section("Structure", structure(claim)),
    section(`Evidence (${claim.evidence.length})`, figures),
    section(`Contradictions (${claim.contradictions.length})`, relatedList("contradictions", claim.contradictions)),
    section(`Corroborations (${claim.corroborations.length})`, relatedList("corroborations", claim.corroborations)),
  );
}
