"""The result page of a saved assessment, its guidance PDF, deleting it and re-assessing it.

| URL | what |
|---|---|
| ``GET /vurdering/<id>`` | the result page (the Assessment as stored; nothing is re-decided) |
| ``GET /vurdering/<id>/veiledning.pdf?lang=nb|en`` | the guidance PDF as a download |
| ``GET /vurdering/<id>/slett`` | "are you sure?" page; its form posts to the same URL |
| ``POST /vurdering/<id>/slett`` | delete the assessment (CSRF-protected) |
| ``POST /vurdering/<id>/vurder-pa-nytt`` | assess the same answers with the current rules, save, |
|  | and show what changed on the result page |

``views.py`` holds the routes; ``present.py`` the helpers the page uses to show the stored
``Assessment`` in the page's language (texts, amounts, dates, the answers table). The page only
renders: which warnings are caveats and which "vet ikke" answers are worth finding out is what
the Assessment says.
"""

from advisor.result.views import bp

__all__ = ["bp"]
