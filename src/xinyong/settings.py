"""Typed settings, read from ``XINYONG_*`` environment variables and validated at start-up.

Every field is documented in docs/settings.md; tests/unit/test_settings.py keeps the two in step.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xinyong.errors import ConfigurationError

MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "data")
    database_url: str | None = None
    secret_key: str | None = None
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: int = 8
    token_days: int = 90
    login_max_failures: int = 5
    max_upload_mb: int = 1024
    publication_rules: Path | None = None
    public_cache_seconds: float = Field(default=30.0, ge=0)
    webhook_interval_seconds: float = Field(default=60.0, ge=0)
    check_connections: int = Field(default=10, ge=0)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    @field_validator("session_hours", "token_days", "login_max_failures", "argon2_time_cost", "max_upload_mb")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'xinyong.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    @cached_property
    def effective_secret_key(self) -> str:
        """The key that signs session cookies.

        Given explicitly it must be long enough; otherwise one is generated once and kept in the data
        directory (readable by the owner only), so a restart does not log everybody out.
        """
        if self.secret_key is not None:
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ConfigurationError(
                    "XINYONG_SECRET_KEY 过短（至少 32 个字符）",
                    f"XINYONG_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters",
                )
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigurationError("配置错误：" + str(exc), "invalid settings: " + str(exc)) from exc
