// Evidence offsets are Unicode code points (the API's `start`/`end`); JavaScript strings index UTF-16 code units,
// in which a character outside the Basic Multilingual Plane takes two. These helpers convert between the two.

import { h, langAttrs } from "./dom.js";

/** The UTF-16 index of code point `cp` in `text` (the string's length when cp is past its end). */
export function utf16Index(text, cp) {
  let units = 0;
  let count = 0;
  for (const char of text) {
    if (count === cp) return units;
    units += char.length;
    count += 1;
  }
  return units;
}

/** The code-point offset of UTF-16 index `unit` in `text`. */
export function codePointIndex(text, unit) {
  let units = 0;
  let count = 0;
  for (const char of text) {
    if (units >= unit) return count;
    units += char.length;
    count += 1;
  }
  return count;
}

/**
 * Where an evidence item lies in its source's text, as UTF-16 indices {from, to, how}:
 * - "offsets": the code-point offsets [start, end) hold the quote, as the API promises;
 * - "selector": they do not (the text changed), and the quote was found again with its prefix and suffix
 *   (W3C Web Annotation TextQuoteSelector), or alone when it occurs once;
 * - null when the quote is not in the text.
 */
export function anchor(text, evidence) {
  const from = utf16Index(text, evidence.start);
  const to = utf16Index(text, evidence.end);
  if (text.slice(from, to) === evidence.quote) return { from, to, how: "offsets" };
  const withContext = (evidence.prefix || "") + evidence.quote + (evidence.suffix || "");
  let at = text.indexOf(withContext);
  if (at >= 0) {
    const start = at + (evidence.prefix || "").length;
    return { from: start, to: start + evidence.quote.length, how: "selector" };
  }
  at = text.indexOf(evidence.quote);
  if (at >= 0 && text.indexOf(evidence.quote, at + 1) < 0) return { from: at, to: at + evidence.quote.length, how: "selector" };
  return null;
}

/**
 * A source's full text with the range [from, to) marked, in its language and direction, focusable and scrollable.
 * Returns {box, mark}; call reveal(box, mark) once the box is in the document.
 */
export function markedText(text, language, range, label) {
  const box = h("div", { class: "source-text", tabindex: "0", role: "region", "aria-label": label, ...langAttrs(language) });
  let mark = null;
  if (range) {
    mark = h("mark", { class: "quote-mark" }, text.slice(range.from, range.to));
    box.append(text.slice(0, range.from), mark, text.slice(range.to));
  } else {
    box.append(text);
  }
  return { box, mark };
}

/** Scroll a source-text box (not the page) so that its mark sits in the upper third of it. */
export function reveal(box, mark) {
  if (!mark) return;
  const top = mark.offsetParent === box ? mark.offsetTop : mark.offsetTop - box.offsetTop;
  box.scrollTop = Math.max(0, top - box.clientHeight / 3);
}
