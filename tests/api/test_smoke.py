import pytest

pytestmark = pytest.mark.anyio


async def test_smoke(client):
    for path in ["/healthz", "/v1/claims?limit=2", "/v1/claims/sisi-planned-40000-missiles-for-russia",
                 "/v1/actors/abdel-fattah-el-sisi", "/v1/search?q=السيسى", "/v1/timeline?limit=3",
                 "/v1/contradictions", "/v1/corroborations", "/v1/sources?limit=3", "/v1/claims?limit=900",
                 "/v1/claims?cursor=zzz", "/v1/claims/nope", "/v1/claims?foo=1", "/v1/actors/abdel-fattah-el-sisi/claims?role=claimant"]:
        r = await client.get(path)
        print(path, r.status_code, r.headers.get("content-type"), r.text[:600])
