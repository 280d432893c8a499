// Pieces shared by the views: problem boxes, paged lists, relation summaries and review buttons.

import { ApiError, get, patch, query, reviewKey } from "./api.js";
import { actorLink, badge, en, h, routes } from "./dom.js";

/** An RFC 9457 problem shown to a person: its title, detail and each invalid field. */
export function problemBox(error, retry) {
  const problem = error instanceof ApiError ? error.problem
    : { title: "Something went wrong in the page", detail: String(error && error.message || error) };
  return h("div", { class: "problem", role: "alert" },
    h("p", { class: "problem-title" }, en(problem.title), problem.status ? ` (${problem.status})` : ""),
    problem.detail ? en(problem.detail, "p") : null,
    problem.errors?.length ? h("ul", {}, problem.errors.map((e) => h("li", {}, h("code", {}, (e.loc || []).join(".")), ": ", en(e.msg)))) : null,
    retry ? h("button", { type: "button", onclick: retry }, "Try again") : null,
  );
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/**
 * A list that pages through an API list ({items, next_cursor}): the first page at once, then a "Show more" button
 * that fetches the next one with `cursor`. `render(item)` makes one <li>.
 */
export async function pagedList(path, params, render, { empty = "None.", listTag = "ul", className = "items" } = {}) {
  const list = h(listTag, { class: className });
  const holder = h("div", { class: "paged" }, list);
  const first = (await get(query(path, params))).data;
  const add = (page) => {
    for (const item of page.items) list.append(render(item));
    return page.next_cursor;
  };
  let cursor = add(first);
  if (!first.items.length) holder.replaceChildren(h("p", { class: "muted" }, empty));
  if (cursor) {
    const status = h("p", { class: "visually-hidden", role: "status" });
    const more = h("button", { type: "button", class: "more" }, "Show more");
    more.addEventListener("click", async () => {
      more.disabled = true;
      more.textContent = "Loading…";
      try {
        const page = (await get(query(path, { ...params, cursor }))).data;
        const before = list.children.length;
        cursor = add(page);
        status.textContent = `${list.children.length - before} more shown.`;
        list.children[before]?.querySelector("a")?.focus();
        if (cursor) {
          more.disabled = false;
          more.textContent = "Show more";
        } else {
          more.remove();
        }
      } catch (error) {
        more.replaceWith(problemBox(error));
      }
    });
    holder.append(more, status);
  }
  return holder;
}

/** A claim as a one-line link with its claimant. */
export function claimItem(claim) {
  const id = claim.claim_id ?? claim.id;
  return h("li", { class: "claim-item", dataset: { claim: id } },
    h("a", { href: routes.claim(id) }, en(claim.statement)),
    claim.claimant ? h("span", { class: "by" }, " — ", actorLink(claim.claimant)) : null);
}

/** Who found a relation: a person (curated) or a named detection rule, and the rules that also find it. */
export function originText(relation) {
  const rules = (relation.detected_by || []).filter((rule) => rule !== relation.origin);
  const origin = relation.origin === "curated" ? "curated by a person" : ["detected by rule ", h("code", {}, relation.origin)];
  return h("span", { class: "origin" }, origin,
    rules.length ? [", also found by rule", rules.length > 1 ? "s" : "", " ", rules.map((r, i) => [i ? ", " : "", h("code", {}, r)])] : null);
}

/**
 * Confirm and reject buttons for a contradiction or corroboration, shown when a review key is set. They send
 * PATCH with If-Match: the ETag the record was read with, so a change made meanwhile by someone else is a 412,
 * never overwritten. Rejecting needs a reason (`resolution`); confirming clears any.
 */
export function reviewControls(resource, record, etag, onDone) {
  const holder = h("div", { class: "review" });
  if (!reviewKey()) {
    holder.append(h("p", { class: "muted" }, "To confirm or reject it, enter a key with the ", h("code", {}, "write"),
      " scope under “Review key” at the top of the page."));
    return holder;
  }
  const path = `/v1/${resource}/${encodeURIComponent(record.id)}`;
  const result = h("div", { class: "review-result", "aria-live": "polite" });
  const reason = h("textarea", { id: "reject-reason", rows: "3", lang: "en", dir: "ltr" });
  const run = async (body, button) => {
    for (const b of holder.querySelectorAll("button")) b.disabled = true;
    result.replaceChildren(loading(button === "confirm" ? "Confirming…" : "Rejecting…"));
    try {
      await patch(path, body, etag);
      result.replaceChildren(h("p", { class: "ok", role: "status" }, `Saved: the ${resource.slice(0, -1)} is now ${body.status}.`));
      onDone();
    } catch (error) {
      result.replaceChildren(problemBox(error, error.problem?.status === 412 ? onDone : null));
      for (const b of holder.querySelectorAll("button")) b.disabled = false;
    }
  };
  const confirm = h("button", { type: "button", class: "confirm" }, "Confirm");
  confirm.addEventListener("click", () => run({ status: "confirmed", resolution: null }, "confirm"));
  const rejectForm = h("form", { class: "reject-form" },
    h("label", { for: "reject-reason" }, "Why reject it? (required, kept as its resolution)"), reason,
    h("button", { type: "submit", class: "reject" }, "Reject"));
  rejectForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      result.replaceChildren(h("p", { class: "problem", role: "alert" }, "Say why it is rejected: the API keeps the reason with the record."));
      reason.focus();
      return;
    }
    run({ status: "rejected", resolution: reason.value.trim() }, "reject");
  });
  holder.append(h("h2", {}, "Review"),
    h("p", {}, "Status now: ", badge("status", record.status), ". Each button sends ", h("code", {}, `PATCH ${path}`),
      " with ", h("code", {}, "If-Match"), "."),
    record.status === "confirmed" ? null : confirm, record.status === "rejected" ? null : rejectForm, result);
  return holder;
}

