// Small DOM helpers: elements built from data, never from HTML strings, so no text from the API is ever parsed as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  return node;
}

/** An HTML element: h("a", {href: "#/"}, "text", child, ...). */
export function h(tag, attrs, ...children) {
  return append(setAttrs(document.createElement(tag), attrs), children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

// Scripts written right to left (ISO 15924) and languages whose default script is one of them (BCP 47 primary subtags).
const RTL_SCRIPTS = new Set(["arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"]);
const RTL_LANGUAGES = new Set(["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku-arab", "ps", "sd", "syr", "ug", "ur", "yi", "arz", "apc", "ary", "aeb"]);

/** The writing direction of a BCP 47 tag: "rtl", "ltr", or "auto" when the tag does not say (`und`, empty). */
export function direction(tag) {
  const lower = String(tag || "").toLowerCase();
  if (!lower || lower === "und" || lower.startsWith("und-") && !lower.includes("-arab") && !lower.includes("-latn")) return "auto";
  const parts = lower.split("-");
  const script = parts.find((p, i) => i > 0 && p.length === 4);
  if (script) return RTL_SCRIPTS.has(script) ? "rtl" : "ltr";
  return RTL_LANGUAGES.has(parts[0]) ? "rtl" : "ltr";
}

/** `lang` and `dir` attributes for a text in the language `tag` ("und" or unknown: lang="" and dir="auto",
 * which HTML defines as "language unknown" and "direction from the text itself"). */
export function langAttrs(tag) {
  const dir = direction(tag);
  const known = tag && String(tag).toLowerCase() !== "und";
  return { lang: known ? tag : "", dir };
}

/** A span holding text in a given language. */
export function textIn(tag, text, attrs = {}, element = "span") {
  return h(element, { ...langAttrs(tag), ...attrs }, text);
}

// A run of Arabic script (letters, with the spaces, digits and punctuation between them).
const ARABIC_RUN = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF](?:[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF\s\d.,:/"'()\-]*[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF])?/g;

/**
 * Text in a language that may quote Arabic (English notes citing Arabic words, a search for Arabic words): each run
 * of Arabic script is isolated in <bdi lang="ar" dir="rtl">, so it is read and laid out right to left, and the rest
 * keeps the direction of its surroundings. Arabic script is taken as Arabic: the only such language of the corpus.
 */
export function withArabicRuns(text) {
  const value = String(text ?? "");
  const parts = [];
  let last = 0;
  for (const match of value.matchAll(ARABIC_RUN)) {
    parts.push(value.slice(last, match.index), h("bdi", { lang: "ar", dir: "rtl" }, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(value.slice(last));
  return parts.filter((p) => p !== "");
}

/** The same for SVG text: Arabic runs become <tspan lang="ar" direction="rtl" unicode-bidi="isolate">. */
export function svgRuns(text) {
  return withArabicRuns(text).map((part) => typeof part === "string" ? part
    : s("tspan", { lang: "ar", direction: "rtl", "unicode-bidi": "isolate" }, part.textContent));
}

/** English text from the API (statements, explanations, notes, titles): English, left to right (Arabic quoted in it
 * right to left). */
export function en(text, element = "span", attrs = {}) {
  return h(element, { lang: "en", dir: "ltr", ...attrs }, withArabicRuns(text));
}

const LANGUAGE_NAMES = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });

/** "Arabic (ar)" for a BCP 47 tag; "undetermined" for `und`. */
export function languageName(tag) {
  if (!tag || tag === "und") return "undetermined language";
  try {
    return `${LANGUAGE_NAMES.of(tag)} (${tag})`;
  } catch {
    return tag;
  }
}

/** A vocabulary term as words: `non_confirmation` → "non confirmation". */
export function term(value) {
  return String(value ?? "").replaceAll("_", " ");
}

export function link(href, ...children) {
  return h("a", { href }, ...children);
}

export const routes = {
  claim: (id) => `#/claims/${encodeURIComponent(id)}`,
  actor: (id) => `#/actors/${encodeURIComponent(id)}`,
  source: (id, range) => `#/sources/${encodeURIComponent(id)}` + (range ? `?start=${range.start}&end=${range.end}` : ""),
  proposition: (id) => `#/propositions/${encodeURIComponent(id)}`,
  contradiction: (id) => `#/contradictions/${encodeURIComponent(id)}`,
  corroboration: (id) => `#/corroborations/${encodeURIComponent(id)}`,
  search: (q) => `#/search?q=${encodeURIComponent(q)}`,
};

/** A link to an actor (ActorRef), in English (its display name), marked when unnamed. */
export function actorLink(actor) {
  if (!actor) return h("span", { class: "muted" }, "—");
  return h("a", { href: routes.actor(actor.id), class: actor.unnamed ? "unnamed" : null }, en(actor.name),
    actor.unnamed ? h("span", { class: "visually-hidden" }, " (unnamed)") : null);
}

/** A status or kind shown as a small labelled badge. */
export function badge(kind, value) {
  return h("span", { class: `badge badge-${kind} ${kind}-${String(value).replaceAll("_", "-")}` }, term(value));
}

export function section(title, ...children) {
  const id = "s-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return h("section", { "aria-labelledby": id }, h("h2", { id }, title), ...children);
}
