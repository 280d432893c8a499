// The headline story's reads, through openapi-fetch typed by openapi-typescript from openapi/openapi.json alone.
// Run by scripts/contract against a live server built from data/: `CLAIMS_API_URL=http://127.0.0.1:8000 node build/headline.js`.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type ClaimSummary = components["schemas"]["ClaimSummary"];
type ClaimPage = components["schemas"]["ClaimPage"];

const HEADLINE = "sisi-planned-40000-missiles-for-russia";
const STATEMENT =
  "Secret US documents show that Egyptian President Abdel Fattah el-Sisi planned to produce 40,000 missiles for Russia in February.";
const CONTRADICTIONS = [
  "egypt-neutrality-vs-arms-plans-for-russia",
  "missile-plan-vs-no-deliveries-seen",
  "missile-plan-vs-plan-abandoned",
  "sisi-closest-ally-of-washington-vs-secret-missiles-for-russia",
];
const CORROBORATIONS = [
  "missile-plan-reported-in-english-and-arabic",
  "sisi-missile-plan-first-sentence-and-ordered-batch",
  "sisi-secret-missiles-production-and-shipment-plans",
];
// "صاروخ" (missile) appears only in the Arabic report of 26 September 2023; the synonym table (data/synonyms.yaml)
// makes it find the English reports of missiles too.
const ARABIC_QUERY = "صاروخ";
const ARABIC_REPORT = "alkhaleej-aljadeed-2023-09-26-russia-egypt-security-talks";
const ARABIC_CLAIM = "ar-sisi-planned-40000-missiles-for-russia";

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

function sameSet(actual: string[], expected: string[]): boolean {
  return JSON.stringify([...actual].sort()) === JSON.stringify([...expected].sort());
}

const client = createClient<paths>({ baseUrl: process.env["CLAIMS_API_URL"] ?? "http://127.0.0.1:8000" });

async function claimPage(cursor: string | null): Promise<ClaimPage> {
  const { data, error, response } = await client.GET("/v1/claims", { params: { query: { limit: 50, cursor } } });
  check(data !== undefined, `GET /v1/claims: ${response.status} ${JSON.stringify(error)}`);
  return data;
}

async function pageEveryClaim(): Promise<ClaimSummary[]> {
  const claims: ClaimSummary[] = [];
  let page = await claimPage(null);
  claims.push(...page.items);
  while (page.next_cursor !== null) {
    page = await claimPage(page.next_cursor);
    claims.push(...page.items);
  }
  check(page.next === null, "the last page has no next link");
  return claims;
}

async function main(): Promise<void> {
  const claims = await pageEveryClaim();
  const ids = claims.map((claim) => claim.id);
  check(new Set(ids).size === ids.length, "paging lists each claim once");
  const headlineSummary = claims.find((claim) => claim.id === HEADLINE);
  check(headlineSummary !== undefined && headlineSummary.statement === STATEMENT, `${HEADLINE} is among the claims`);

  const detail = await client.GET("/v1/claims/{claim_id}", { params: { path: { claim_id: HEADLINE } } });
  const claim = detail.data;
  check(claim !== undefined, `GET /v1/claims/${HEADLINE}: ${detail.response.status} ${JSON.stringify(detail.error)}`);
  check(claim.statement === STATEMENT, `statement: ${claim.statement}`);
  check(claim.quantity?.value === 40000 && claim.quantity.unit === "missiles", `quantity: ${JSON.stringify(claim.quantity)}`);
  const evidence = claim.evidence[0];
  check(evidence !== undefined && evidence.quote === STATEMENT.slice(0, -1) && evidence.start === 0 && evidence.end === 127, "evidence: the quote at 0-127");
  const contradictionIds = claim.contradictions.map((c) => c.id);
  check(sameSet(contradictionIds, CONTRADICTIONS), `contradictions: ${contradictionIds.join(", ")}`);
  const corroborationIds = claim.corroborations.map((c) => c.id);
  check(sameSet(corroborationIds, CORROBORATIONS), `corroborations: ${corroborationIds.join(", ")}`);
  const noDeliveries = claim.contradictions.find((c) => c.id === "missile-plan-vs-no-deliveries-seen");
  check(
    noDeliveries?.side === "a" &&
      noDeliveries.opposing_side.map((member) => member.claim_id).join() === "us-representative-saw-no-missile-deliveries",
    "the US representative's 'not seen' opposes the plan",
  );
  const inArabic = claim.corroborations.find((c) => c.id === "missile-plan-reported-in-english-and-arabic");
  check(
    inArabic !== undefined && !inArabic.independent && sameSet(inArabic.shared_origins.map((s) => s.id), ["discord-leak-2023"]),
    "the English and Arabic reports share the leak",
  );
  const etag = detail.response.headers.get("etag");
  check(etag !== null && etag.startsWith(`"${claim.revision}-`), `GET /v1/claims/${HEADLINE} sends an ETag of its revision, got ${etag}`);
  const again = await client.GET("/v1/claims/{claim_id}", { params: { path: { claim_id: HEADLINE } }, headers: { "If-None-Match": etag } });
  check(again.response.status === 304, `If-None-Match with the current ETag: ${again.response.status}`);

  const found = await client.GET("/v1/search", { params: { query: { q: ARABIC_QUERY } } });
  check(found.data !== undefined, `GET /v1/search: ${found.response.status} ${JSON.stringify(found.error)}`);
  const hits = found.data.items.map((hit) => `${hit.kind}:${hit.id}`);
  check(hits.includes(`source:${ARABIC_REPORT}`) && hits.includes(`claim:${ARABIC_CLAIM}`), `Arabic search finds the Arabic report and its claim: ${hits.join(", ")}`);
  check(found.data.items.some((hit) => hit.language === "en"), "the synonym table finds English reports of missiles too");

  console.log(
    `typescript client: ${ids.length} claims paged; ${HEADLINE}: ${contradictionIds.length} contradictions, ` +
      `${corroborationIds.length} corroborations; Arabic search: ${hits.length} hits; If-None-Match 304`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
