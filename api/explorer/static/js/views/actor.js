// Actors: the list, and one actor with its names in every language, its roles over time (with their evidence) and its
// claims by role.

import { getData } from "../api.js";
import { actorLink, badge, direction, en, h, langAttrs, languageName, routes, section, term, textIn } from "../dom.js";
import { formatDateValue } from "../dates.js";
import { claimItem, pagedList } from "../ui.js";

export async function actorsView() {
  return h("div", {}, h("h1", {}, "Actors"),
    await pagedList("/v1/actors", { limit: 100 }, (a) => h("li", {}, badge("kind", a.kind), " ", actorLink(a),
      a.description ? h("span", { class: "muted" }, " — ", en(a.description)) : null)));
}

function roleDate(role) {
  const from = role.start ? formatDateValue(role.start) : null;
  const to = role.end ? formatDateValue(role.end) : null;
  if (from || to) return `${from ?? "?"} to ${to ?? "?"}`;
  return role.attested ? `attested ${formatDateValue(role.attested)}` : "no date";
}

function roleKey(role) {
  const value = role.start ?? role.attested ?? role.end;
  return value ? value.date : "9999";
}

export async function actorView([id]) {
  const actor = await getData(`/v1/actors/${encodeURIComponent(id)}`);
  const byLanguage = new Map();
  for (const name of actor.names) byLanguage.set(name.language, [...(byLanguage.get(name.language) || []), name.value]);
  const roles = [...actor.roles].sort((a, b) => roleKey(a).localeCompare(roleKey(b)));
  const counted = Object.entries(actor.claim_counts).filter(([, n]) => n > 0);
  const claimSections = await Promise.all(counted.map(async ([role, n]) => h("section", { class: "by-role", dataset: { role } },
    h("h3", {}, `As ${role} (${n})`),
    await pagedList(`/v1/actors/${encodeURIComponent(actor.id)}/claims`, { role, limit: 20 }, claimItem))));
  return h("article", { class: "actor", dataset: { actor: actor.id } },
    h("p", { class: "kicker" }, `${term(actor.kind)} `, h("code", {}, actor.id), actor.unnamed ? " · unnamed" : ""),
    en(actor.name, "h1"),
    actor.description ? en(actor.description, "p", { class: "lede" }) : null,
    actor.speaks_for ? h("p", {}, "Speaks for ", actorLink(actor.speaks_for), ".") : null,
    section("Names", h("table", { class: "names" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Language"), h("th", { scope: "col" }, "Names"))),
      h("tbody", {}, [...byLanguage].map(([language, names]) => h("tr", {}, h("th", { scope: "row" }, languageName(language)),
        h("td", langAttrs(language), names.map((name, i) => [i ? (direction(language) === "rtl" ? "، " : ", ") : "", textIn(language, name, { class: "name" })]))))))),
    section("Roles over time", roles.length ? h("ol", { class: "roles" }, roles.map((role) => h("li", {},
      h("strong", {}, en(role.title)), role.of ? [" of ", actorLink(role.of)] : null, " — ", en(roleDate(role)),
      role.evidence.length ? h("ul", { class: "role-evidence" }, role.evidence.map((e) => h("li", {},
        "“", textIn(e.language, e.quote, { class: "quote-inline" }), "”",
        e.translation ? [" ", en(`(“${e.translation}”)`, "span", { class: "muted" })] : null, " — ",
        h("a", { href: routes.source(e.source.id, e) }, en(e.source.title))))) : null))) : h("p", { class: "muted" }, "No roles recorded.")),
    section("Claims by role", counted.length ? claimSections : h("p", { class: "muted" }, "No claims.")));
}
