"""Settings from the environment (pydantic-settings).

The app runs from the checkout: ``rules/``, ``templates/``, ``static/``, ``translations/`` and
``migrations/`` are found relative to the repository root (``REPO_ROOT``).

| variable | default | meaning |
|---|---|---|
| ``ADVISOR_ENV`` | ``development`` | ``production`` requires ``SECRET_KEY`` and sets Secure cookies |
| ``DATABASE_URL`` | ``sqlite:///<instance>/advisor.db`` | SQLAlchemy URL, e.g. ``postgresql+psycopg://...`` |
| ``SECRET_KEY`` | generated once into ``instance/secret_key`` (development only) | signs sessions |
| ``RULES_DIR`` | ``<repo>/rules/no`` | the rule base folder |
| ``RATELIMIT_STORAGE_URI`` | ``memory://`` | Flask-Limiter storage; use ``redis://`` with several instances |
| ``MAX_CONTENT_LENGTH`` | ``1048576`` (1 MB) | largest request body; larger bodies get 413 |
| ``API_MAX_BODY`` | ``65536`` (64 kB) | largest JSON body on the API (within ``MAX_CONTENT_LENGTH``) |
| ``SCREENING_MAX_BYTES`` | ``1048576`` (1 MB) | largest uploaded procurement plan |
| ``API_RATE_LIMIT`` | ``300/minute`` | per client address, on every ``/api/v1`` route |
| ``PDF_RATE_LIMIT`` | ``20/minute`` | per client address: guidance PDFs (page and API), plan PDFs |
| ``SCREENING_RATE_LIMIT`` | ``20/minute`` | per client address: plan uploads, plan rows opened |
| ``INSTANCE_PATH`` | ``<repo>/instance`` | runtime files (SQLite database, secret key) |
| ``TRUSTED_PROXIES`` | ``0`` | number of reverse proxies whose X-Forwarded-* headers to trust |
| ``LOG_LEVEL`` | ``INFO`` | level of the JSON logs on stderr |
| ``SQLITE_SYNCHRONOUS`` | ``NORMAL`` | SQLite only: ``NORMAL`` or ``FULL`` (fsync every commit; see docs/operations.md) |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Path(advisor.__file__).parent.parent: the checkout (the app runs from an editable install).
REPO_ROOT = Path(__file__).resolve().parent.parent


class StartupError(SystemExit):
    """The app must not start; the message tells the operator what to do.

    A ``SystemExit``: uncaught, Python prints the message to stderr and exits with status 1
    (``flask run``, gunicorn ``--preload`` and ``advisor serve`` all stop).
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"advisor: cannot start: {message}")

    @property
    def message(self) -> str:
        return str(self.code)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    advisor_env: Literal["development", "production"] = "development"
    database_url: str | None = None
    secret_key: SecretStr | None = None
    rules_dir: Path = REPO_ROOT / "rules" / "no"
    ratelimit_storage_uri: str = "memory://"
    max_content_length: int = Field(default=1024 * 1024, gt=0)
    api_max_body: int = Field(default=64 * 1024, gt=0)  # a Case is well under 2 kB
    screening_max_bytes: int = Field(default=1024 * 1024, gt=0)
    # Flask-Limiter rate limits ("300/minute", "10/second;1000/day"), per client address.
    api_rate_limit: str = "300/minute"
    pdf_rate_limit: str = "20/minute"
    screening_rate_limit: str = "20/minute"
    instance_path: Path = REPO_ROOT / "instance"
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    log_level: str = "INFO"
    # SQLite (WAL) durability: NORMAL survives an app or process crash; an OS crash or power
    # cut may roll back the last commits. FULL also survives those, at one fsync per commit.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "NORMAL"

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def production(self) -> bool:
        return self.advisor_env == "production"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'advisor.db'}"

    def resolved_secret_key(self) -> str:
        """The secret key; in development generated once and kept in ``instance/secret_key``."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        if self.production:
            raise StartupError(
                "SECRET_KEY is not set. In production (ADVISOR_ENV=production) set SECRET_KEY "
                "to a long random value, e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`, and keep it the same on every instance."
            )
        return _development_secret(self.instance_path / "secret_key")


def _development_secret(path: Path) -> str:
    """Read the development key, creating it once (atomic when several workers race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # atomic; fails if another process was first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise StartupError(f"{path} is empty; delete it and start again")
    return key


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; ``overrides`` (lower-case field names) win."""
    known = {key: value for key, value in overrides.items() if key in Settings.model_fields}
    try:
        return Settings(**known)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc'])).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        raise StartupError(f"invalid settings: {problems}") from None
