// The explorer's shell: hash routes (every view has a shareable URL: /explore#/claims/<id>), the search box,
// the review key, and the loading, error and focus handling every view shares.

import { reviewKey, setReviewKey } from "./api.js";
import { h } from "./dom.js";
import { loading, problemBox } from "./ui.js";
import { actorsView, actorView } from "./views/actor.js";
import { claimView } from "./views/claim.js";
import { homeView, searchView } from "./views/search.js";
import { propositionsView, propositionView } from "./views/proposition.js";
import { relationsView, relationView } from "./views/relations.js";
import { sourcesView, sourceView } from "./views/source.js";

const ROUTES = [
  [/^\/?$/, homeView],
  [/^\/search$/, searchView],
  [/^\/claims\/([^/]+)$/, claimView],
  [/^\/propositions$/, propositionsView],
  [/^\/propositions\/([^/]+)$/, propositionView],
  [/^\/contradictions$/, (p, q, ctx) => relationsView("contradictions", q, ctx)],
  [/^\/contradictions\/([^/]+)$/, (p, q, ctx) => relationView("contradictions", p, q, ctx)],
  [/^\/corroborations$/, (p, q, ctx) => relationsView("corroborations", q, ctx)],
  [/^\/corroborations\/([^/]+)$/, (p, q, ctx) => relationView("corroborations", p, q, ctx)],
  [/^\/sources$/, sourcesView],
  [/^\/sources\/([^/]+)$/, sourceView],
  [/^\/actors$/, actorsView],
  [/^\/actors\/([^/]+)$/, actorView],
];

const main = document.getElementById("main");
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?", 2);
  return { path, query: new URLSearchParams(search) };
}

async function render({ focus }) {
  const mine = ++generation;
  const { path, query } = parseHash();
  const match = ROUTES.map(([pattern, view]) => [path.match(pattern), view]).find(([m]) => m);
  main.setAttribute("aria-busy", "true");
  main.replaceChildren(loading());
  const ctx = {
    rerender: () => render({ focus: false }),
  };
  let content;
  try {
    if (!match) {
      content = h("div", {}, h("h1", {}, "No such view"),
        h("p", {}, "The address ", h("code", {}, location.hash), " does not name a view of the explorer. ", h("a", { href: "#/" }, "Start again"), "."));
    } else {
      const [m, view] = match;
      const params = m.slice(1).map(decodeURIComponent);
      content = await view(params, query, ctx);
    }
  } catch (error) {
    content = h("div", {}, h("h1", {}, "This view could not be shown"), problemBox(error, () => render({ focus: true })));
  }
  if (mine !== generation) return; // a later navigation won
  main.replaceChildren(content);
  main.removeAttribute("aria-busy");
  for (const hook of main.querySelectorAll("[data-after-render]")) hook.dispatchEvent(new Event("rendered"));
  const heading = main.querySelector("h1");
  if (heading) document.title = `${heading.textContent} — Claims explorer`;
  if (focus && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
  main.dataset.view = path.split("/")[1] || "home";
  main.dataset.route = location.hash || "#/";
  main.dataset.ready = "true";
}

function showKeyState() {
  document.getElementById("key-state").textContent = reviewKey() ? "set for this tab" : "none";
}

document.getElementById("top-search").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = new FormData(event.target).get("q").trim();
  if (q) location.hash = `#/search?q=${encodeURIComponent(q)}`;
});

document.getElementById("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("key-input");
  setReviewKey(input.value.trim() || null);
  input.value = "";
  showKeyState();
  document.getElementById("key-panel").open = false;
  render({ focus: false });
});

document.getElementById("key-forget").addEventListener("click", () => {
  setReviewKey(null);
  showKeyState();
  render({ focus: false });
});

document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener("hashchange", () => {
  main.dataset.ready = "false";
  render({ focus: true });
});
showKeyState();
render({ focus: false });
