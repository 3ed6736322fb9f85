"""Texts in both of the app's languages, as the rule files, the Assessment and the pages carry
them: one ``LocalText`` renders in bokmål or English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LocalText(BaseModel):
    """A text in bokmål and English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nb: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nb
