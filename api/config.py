"""Settings, read from the environment (prefix `CLAIMS_`; `DATABASE_URL` as is)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'claims.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "CLAIMS_DATABASE_URL"),
        description="SQLAlchemy URL of the database; an SQLite file by default.",
    )
    data_dir: Path = Field(default=ROOT / "data", description="The curated dataset and corpus.")
    auto_build: bool = Field(default=True, description="Build the database from data/ at start-up when it is missing or stale.")
    read_requires_key: bool = Field(default=False, description="Require an API key with scope `read` for reads.")
    max_body_bytes: int = Field(default=1_048_576, ge=1, description="Largest request body accepted, in bytes; larger ones get 413.")
    body_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest a request body may take to arrive, from the request's start; slower: 408."
    )
    db_pool_size: int = Field(
        default=10, ge=1, le=1000,
        description="Reads running at once per process in worker threads, and on PostgreSQL the connections they hold"
        " (one each). With db_loop_pool_size, /healthz's own connection, the event loop's own and the write pool, a"
        " process keeps at most db_pool_size + db_loop_pool_size + db_write_pool_size + 2 PostgreSQL connections.",
    )
    db_loop_pool_size: int = Field(
        default=4, ge=1, le=1000,
        description="PostgreSQL only: connections for the pages of lists and the reads by id, which run on the event loop"
        " and await their statements (one connection per read in progress; more wait for one). On 2 cores 4 served"
        " as many pages as 10 without their 100-150 ms stalls (README, Concurrency and connections).",
    )
    db_heavy_size: int = Field(
        default=2, ge=1, le=1000,
        description="Searches and exports running at once per process, within db_pool_size: their Python holds the GIL,"
        " and more of them at once would only slow every other request.",
    )
    db_inline_budget_ms: float = Field(
        default=2.0, ge=0, le=1000,
        description="Milliseconds of the event loop's CPU time a page of a list (SQLite) or a search (both backends) may"
        " take on the loop before it runs again in a worker thread; reads within it skip the hop to a thread. 0: those"
        " reads run in worker threads.",
    )
    search_cache_mb: float = Field(
        default=8.0, ge=0, le=4096,
        description="Megabytes (MiB) of search pages kept per process, each valid only while the database is in the state"
        " it was computed in (the dataset's fingerprint and the change feed's last seq); 0 keeps none.",
    )
    db_write_pool_size: int = Field(
        default=2, ge=1, le=100,
        description="Database connections for writes per process (writes apply one at a time, so more would only wait).",
    )
    db_pool_timeout_seconds: float = Field(
        default=5.0, gt=0, le=600,
        description="Longest a request waits for a database connection; then it gets 503 /problems/unavailable with Retry-After.",
    )
    cors_origins: str = Field(default="", description="Comma-separated origins allowed by CORS; `*` for any.")
    cursor_secret: SecretStr | None = Field(
        default=None, min_length=16,
        description="Key that signs list cursors (HMAC-SHA256), at least 16 characters. Unset: a random key is made"
        " once and kept in the database (table `server_secret`), so every process and restart on it shares it.",
    )

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
