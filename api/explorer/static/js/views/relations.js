// Contradictions and corroborations: kind, status, explanation, who found them (a person, or the detection rule), the
// claims on each side; with a review key, buttons that confirm or reject them (PATCH with If-Match).

import { enumOf, get, getData } from "../api.js";
import { badge, en, h, routes, section, term } from "../dom.js";
import { claimItem, originText, pagedList, reviewControls } from "../ui.js";

const SINGULAR = { contradictions: "contradiction", corroborations: "corroboration" };
const ROUTE = { contradictions: routes.contradiction, corroborations: routes.corroboration };

function heading(resource, relation, tag = "h3") {
  return h(tag, {}, h("a", { href: ROUTE[resource](relation.id) }, term(relation.kind)), " ",
    h("span", { class: "relation-id" }, h("code", {}, relation.id)));
}

function statusLine(relation) {
  return h("p", { class: "relation-meta" }, badge("status", relation.status), " ", originText(relation),
    relation.independent === undefined ? null : [" · ", relation.independent ? "independent sources" : "sources share an origin"]);
}

/** The relations listed in a claim's detail (ClaimContradiction / ClaimCorroboration). */
export function relatedList(resource, relations) {
  if (!relations.length) return h("p", { class: "muted" }, `No ${resource}.`);
  return h("ul", { class: "relations" }, relations.map((r) => h("li", { class: "relation", dataset: { relation: r.id } },
    heading(resource, r), statusLine(r), en(r.explanation, "p"),
    r.resolution ? h("p", { class: "resolution" }, h("strong", {}, "Resolution: "), en(r.resolution)) : null,
    resource === "contradictions" ? [
      r.same_side.length ? [h("h4", {}, `Same side (${r.side})`), h("ul", {}, r.same_side.map(claimItem))] : null,
      h("h4", {}, "Opposing side"), h("ul", { class: "opposing" }, r.opposing_side.map(claimItem)),
    ] : [h("h4", {}, "Other claims"), h("ul", {}, r.claims.map(claimItem))],
  )));
}

function listItem(resource) {
  return (r) => h("li", { class: "relation", dataset: { relation: r.id } },
    heading(resource, r), statusLine(r), en(r.explanation, "p", { class: "clamp" }),
    h("ul", { class: "members" }, r.claims.map((c) => h("li", {}, c.side ? h("span", { class: "side" }, `${c.side}: `) : null,
      h("a", { href: routes.claim(c.claim_id) }, en(c.statement))))));
}

async function filterForm(resource, q) {
  const prefix = resource === "contradictions" ? "Contradiction" : "Corroboration";
  const [kinds, statuses, rules] = await Promise.all([enumOf(`${prefix}Kind`), enumOf(`${prefix}Status`), enumOf("DetectionRule")]);
  const select = (name, label, values, all) => {
    const id = `filter-${name}`;
    return h("div", { class: "field" }, h("label", { for: id }, label),
      h("select", { id, name }, h("option", { value: "" }, all),
        values.map((v) => h("option", { value: v, selected: q.get(name) === v }, term(v)))));
  };
  const form = h("form", { class: "filters" },
    select("kind", "Kind", kinds, "any kind"), select("status", "Status", statuses, "any status"),
    select("origin", "Found by", ["curated", ...rules], "anyone"), h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
    location.hash = `#/${resource}${params.size ? `?${params}` : ""}`;
  });
  return form;
}

export async function relationsView(resource, q) {
  const params = { kind: q.get("kind"), status: q.get("status"), origin: q.get("origin"), limit: 50 };
  const [form, list] = await Promise.all([filterForm(resource, q),
    pagedList(`/v1/${resource}`, params, listItem(resource), { className: "relations", empty: `No ${resource} match these filters.` })]);
  return h("div", {}, h("h1", {}, resource === "contradictions" ? "Contradictions" : "Corroborations"), form, list);
}

export async function relationView(resource, [id], q, ctx) {
  const { data: relation, etag } = await get(`/v1/${resource}/${encodeURIComponent(id)}`);
  const engine = await getData("/v1/engine");
  const rules = new Map(engine.rules.map((r) => [r.name, r]));
  const ruleNames = [...new Set([relation.origin, ...relation.detected_by].filter((name) => rules.has(name)))];
  const members = (side) => relation.claims.filter((c) => c.side === side);
  return h("article", { class: "relation-detail", dataset: { relation: relation.id } },
    h("p", { class: "kicker" }, `${SINGULAR[resource]} `, h("code", {}, relation.id)),
    h("h1", {}, term(relation.kind)),
    statusLine(relation),
    en(relation.explanation, "p", { class: "explanation" }),
    relation.resolution ? h("p", { class: "resolution" }, h("strong", {}, "Resolution: "), en(relation.resolution)) : null,
    ruleNames.length ? section("Detection rules", h("dl", {}, ruleNames.map((name) => [h("dt", {}, h("code", {}, name)),
      h("dd", {}, en(rules.get(name).description))]))) : null,
    resource === "contradictions"
      ? [...new Set(relation.claims.map((c) => c.side))].map((side) => section(`Side ${side}`, h("ul", { class: `side-${side}` }, members(side).map(claimItem))))
      : [section("Claims", h("ul", {}, relation.claims.map(claimItem))),
        relation.shared_origins.length ? section("Shared origins", h("ul", {}, relation.shared_origins.map((s) =>
          h("li", {}, h("a", { href: routes.source(s.id) }, en(s.title)))))) : null,
        relation.shared_parties.length ? section("Shared parties", h("ul", {}, relation.shared_parties.map((a) =>
          h("li", {}, h("a", { href: routes.actor(a.id) }, en(a.name)))))) : null],
    reviewControls(resource, relation, etag, () => ctx.rerender()),
  );
}
