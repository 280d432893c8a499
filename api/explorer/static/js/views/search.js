// The home page and search across actors, claims and sources (GET /v1/search), in English and Arabic.

import { getData, query } from "../api.js";
import { badge, en, h, routes, textIn, withArabicRuns } from "../dom.js";
import { pagedList } from "../ui.js";

const HREF = { actor: routes.actor, claim: routes.claim, source: routes.source };

function hitItem(hit) {
  return h("li", { class: "hit", dataset: { kind: hit.kind, id: hit.id } },
    badge("kind", hit.kind), " ",
    h("a", { href: HREF[hit.kind](hit.id) }, hit.kind === "actor" ? h("span", { lang: "", dir: "auto" }, withArabicRuns(hit.label)) : en(hit.label)),
    h("p", { class: "snippet" }, h("span", { class: "field" }, `${hit.field}: `), textIn(hit.language, hit.snippet, { class: "snippet-text" })));
}

function searchForm(q, kind) {
  const input = h("input", { id: "q", name: "q", type: "search", dir: "auto", value: q || "", required: true, maxlength: "500" });
  const select = h("select", { id: "kind", name: "kind" },
    ["", "claim", "actor", "source"].map((k) => h("option", { value: k, selected: k === (kind || "") }, k ? `${k}s` : "everything")));
  const form = h("form", { class: "search-page-form", role: "search" },
    h("label", { for: "q" }, "Words to find (English or Arabic; every word must match)"), input,
    h("label", { for: "kind" }, "In"), select, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ q: input.value.trim() });
    if (select.value) params.set("kind", select.value);
    location.hash = `#/search?${params}`;
  });
  return form;
}

export async function searchView(params, q) {
  const text = (q.get("q") || "").trim();
  const kind = q.get("kind") || "";
  const view = h("div", {}, h("h1", {}, text ? ["Search: ", h("span", { dir: "auto", lang: "" }, withArabicRuns(text))] : "Search"), searchForm(text, kind));
  if (!text) return view;
  view.append(h("h2", { class: "visually-hidden" }, "Results"),
    await pagedList("/v1/search", { q: text, kind, limit: 20 }, hitItem, { listTag: "ol", className: "hits", empty: "Nothing matches every word." }));
  return view;
}

export async function homeView() {
  const page = await getData(query("/v1/propositions", { limit: 200 }));
  const stories = [...page.items].sort((a, b) => b.claim_count - a.claim_count || a.id.localeCompare(b.id)).slice(0, 8);
  return h("div", { class: "home" },
    h("h1", {}, "Claims explorer"),
    h("p", { class: "lede" }, "Who said what, where, when, based on what — and what contradicts it. Every claim below is anchored in the exact words of its source."),
    searchForm("", ""),
    h("p", {}, "Try ", h("a", { href: routes.search("40,000 missiles") }, "40,000 missiles"), " or ",
      h("a", { href: routes.search("السيسي"), lang: "ar", dir: "rtl" }, "السيسي"), "."),
    h("section", { "aria-labelledby": "stories" }, h("h2", { id: "stories" }, "Stories told by the most claims"),
      h("ul", { class: "stories" }, stories.map((p) => h("li", {},
        h("a", { href: routes.proposition(p.id) }, en(p.status_line)),
        h("span", { class: "muted" }, ` — ${p.claim_count} claims`))))));
}
