// Propositions ("the same thing said", across modality, polarity, language and wording): the list, and one
// proposition's story as a status line and a timeline, with the contradictions and corroborations among its claims.

import { getData } from "../api.js";
import { badge, en, h, routes, section, term } from "../dom.js";
import { formatDays } from "../dates.js";
import { originText, pagedList } from "../ui.js";
import { legend, timeline, tone } from "../timeline.js";

/** "Egypt, Russia: missiles (arms flow)" from a proposition's key. */
export function propositionTitle(key) {
  const parties = key.parties.map((p) => p.name).join(", ");
  return `${parties}${parties ? ": " : ""}${key.thing || "—"} (${term(key.family)})`;
}

function statusSteps(line) {
  return h("ol", { class: "status-line", "aria-label": "Status line" },
    line.split(" → ").map((step) => h("li", {}, en(step))));
}

export async function propositionsView() {
  return h("div", {}, h("h1", {}, "Propositions"),
    h("p", {}, "Claims that say the same thing, whatever their modality, polarity, language or wording; each with the story its claims tell."),
    await pagedList("/v1/propositions", { limit: 50 }, (p) => h("li", {},
      h("a", { href: routes.proposition(p.id) }, en(propositionTitle(p.key))),
      h("span", { class: "muted" }, ` — ${p.claim_count} claim${p.claim_count === 1 ? "" : "s"}, ${formatDays(p.date_from, p.date_to)}`),
      en(p.status_line, "p", { class: "status-text" })), { className: "items propositions" }));
}

export async function propositionView([id]) {
  const proposition = await getData(`/v1/propositions/${encodeURIComponent(id)}`);
  // The proposition lists its contradictions by claim; their sides come from each one's own record.
  const contradictions = await Promise.all(proposition.contradictions.map((c) => getData(`/v1/contradictions/${encodeURIComponent(c.id)}`)));
  const statements = new Map(proposition.claims.map((c) => [c.id, c.statement]));
  const undated = proposition.claims.filter((c) => !c.date_from);
  return h("article", { class: "proposition" },
    h("p", { class: "kicker" }, "Proposition ", h("code", {}, proposition.id)),
    en(propositionTitle(proposition.key), "h1"),
    section("Story", statusSteps(proposition.status_line)),
    section("Timeline",
      proposition.claims.length > undated.length ? [timeline(proposition.claims, contradictions), legend(proposition.claims, contradictions)] : h("p", {}, "No claim is dated."),
      h("h3", {}, "The claims, in order"),
      h("ol", { class: "story-claims" }, proposition.claims.map((c) => h("li", { dataset: { claim: c.id } },
        h("span", { class: `swatch ${tone(c)}`, "aria-hidden": "true" }),
        h("strong", {}, en(c.step)), " · ", en(formatDays(c.date_from, c.date_to)),
        h("span", { class: "muted" }, c.dated_by === "event" ? " (event time)" : c.dated_by === "published" ? " (publication date)" : ""),
        " · ", badge("modality", c.modality), " ", badge("polarity", c.polarity), h("br"),
        h("a", { href: routes.claim(c.id) }, en(c.statement)), h("span", { class: "by" }, " — ", en(c.claimant.name)))))),
    section("Contradictions among these claims", contradictions.length ? h("ul", { class: "relations" }, contradictions.map((c) =>
      h("li", { class: "relation" }, h("h3", {}, h("a", { href: routes.contradiction(c.id) }, term(c.kind)), " ", h("code", {}, c.id)),
        h("p", {}, badge("status", c.status), " ", originText(c)), en(c.explanation, "p"),
        h("ul", {}, c.claims.map((m) => h("li", {}, h("span", { class: "side" }, `${m.side}: `),
          h("a", { href: routes.claim(m.claim_id) }, en(m.statement)))))))) : h("p", { class: "muted" }, "None.")),
    section("Corroborations among these claims", proposition.corroborations.length ? h("ul", { class: "relations" }, proposition.corroborations.map((c) =>
      h("li", { class: "relation" }, h("h3", {}, h("a", { href: routes.corroboration(c.id) }, term(c.kind)), " ", h("code", {}, c.id)),
        h("p", {}, badge("status", c.status), " ", originText(c)),
        h("ul", {}, c.claim_ids.map((cid) => h("li", {}, h("a", { href: routes.claim(cid) }, en(statements.get(cid) || cid)))))))) : h("p", { class: "muted" }, "None.")),
  );
}
