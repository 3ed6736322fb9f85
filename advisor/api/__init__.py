"""The JSON API under ``/api/v1`` (blueprint ``api``, CSRF-exempt by that name).

Case JSON in, Assessment JSON out: the v1 contract of design.md section 4. One module per job:

| module | what |
|---|---|
| ``routes`` | the blueprint and its routes; answers, ETags, rate limits |
| ``models`` | request and response models (pydantic), the source of the OpenAPI document |
| ``inputs`` | reading a request: language, query parameters, JSON body |
| ``problems`` | RFC 9457 ``application/problem+json`` errors, texts in nb or en |
| ``openapi`` | spectree and the document at ``/api/v1/openapi.json`` (page at ``/api/v1/docs``) |
"""

from advisor.api.routes import bp

__all__ = ["bp"]
