"""The baseline: a bare FastAPI endpoint returning a fixed dict."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}
