"""Words of the guidance PDF itself, in bokmål and English.

The texts of the advice come from the Assessment (``LocalText``), the names of the answers and
their values from the rule base (facts.yaml); the words here are the PDF's own: headings and
table labels. They live in Python rather than in the Babel catalogs so that the PDF renders the
same with or without a Flask app (CLI, background jobs). ``t(lang, key)`` picks one language.
"""

from __future__ import annotations

Pair = tuple[str, str]  # (nb, en)

CHROME: dict[str, Pair] = {
    "doc_title": ("Veiledning for anskaffelsen", "Guidance for the procurement"),
    "app_name": ("Inkluderende anskaffelser", "Inclusive procurement"),
    "untitled": ("Anskaffelse uten navn", "Untitled procurement"),
    "contents": ("Innhold", "Contents"),
    "summary": ("Sammendrag", "Summary"),
    "recommendation": ("Anbefaling", "Recommendation"),
    "key_facts": ("Nøkkelopplysninger", "Key facts"),
    "procurement": ("Anskaffelse", "Procurement"),
    "law_date": ("Regelverk per", "Law as of"),
    "generated": ("Laget", "Generated"),
    "regime": ("Del av forskriften", "Part of the Regulation"),
    "rulebase_version": ("Regelverksversjon", "Rule-base version"),
    "caveat": ("Forbehold", "Caveat"),
    "draft": ("utkast", "draft"),
    "draft_rules": ("Regler som er utkast", "Draft rules"),
    "routes_open": ("Veier som er åpne", "Routes open to you"),
    "routes_open_none": (
        "Ingen av veiene regelverket kjenner til, er åpne i denne saken.",
        "None of the routes the rule base knows is open in this case.",
    ),
    "routes_closed": ("Veier som ikke er åpne", "Routes not open"),
    "routes_closed_none": (
        "Alle veiene regelverket vurderte, er åpne.",
        "Every route the rule base considered is open.",
    ),
    "why": ("Hvorfor", "Why"),
    "why_not": ("Hvorfor ikke", "Why not"),
    "legal_basis": ("Rettslig grunnlag", "Legal basis"),
    "steps": ("Slik gjør du det", "How to do it"),
    "ready_texts": ("Tekster du kan bruke", "Texts you can use"),
    "obligations": ("Plikter (sjekkliste)", "Obligations (checklist)"),
    "obligations_none": (
        "Regelverket fant ingen særskilte plikter for denne saken.",
        "The rule base found no specific obligations for this case.",
    ),
    "warnings": ("Advarsler", "Warnings"),
    "warnings_none": (
        "Regelverket fant ingen advarsler for denne saken.",
        "The rule base found no warnings for this case.",
    ),
    "basis": ("Grunnlaget for rådet", "What the advice rests on"),
    "answers": ("Svarene dine", "Your answers"),
    "open_questions": ("Spørsmål som kan endre rådet", "Questions that may change the advice"),
    "open_questions_intro": (
        (
            "Du svarte «Vet ikke» på disse spørsmålene. Finn ut svaret før du bestemmer deg: "
            "rådet blir slik med hvert svar."
        ),
        (
            "You answered “Don't know” to these questions. Find out the answer before you decide: "
            "this is how the advice changes with each answer."
        ),
    ),
    "if_answer": ("Hvis svaret er", "If the answer is"),
    "find_out": ("Dette er også verdt å finne ut", "Also worth finding out"),
    "changes": ("Hva endres", "What changes"),
    "opens": ("Åpner", "Opens"),
    "closes": ("Lukker", "Closes"),
    "adds": ("Nye plikter", "New obligations"),
    "removes": ("Plikter som faller bort", "Obligations that fall away"),
    "adds_warnings": ("Nye advarsler", "New warnings"),
    "removes_warnings": ("Advarsler som faller bort", "Warnings that fall away"),
    "not_stated": ("Ikke oppgitt, men kan endre rådet", "Not stated, but may change the advice"),
    "not_stated_intro": (
        (
            "Disse opplysningene er ikke oppgitt. Rådet leser dem som ukjente; finn ut svaret: "
            "rådet blir slik med hvert svar."
        ),
        (
            "These facts were not stated. The advice reads them as unknown; find out the answer: "
            "this is how the advice changes with each answer."
        ),
    ),
    "no_change": ("Ingen endring", "No change"),
    "question": ("Spørsmål", "Question"),
    "answer": ("Svar", "Answer"),
    "trail": ("Regler som er brukt", "Rules applied"),
    "rule": ("Regel", "Rule"),
    "conclusion": ("Konklusjon", "Conclusion"),
    "facts_used": ("Opplysninger brukt", "Facts used"),
    "parameters": ("Verdier brukt", "Values used"),
    "from": ("fra", "from"),
    "trail_none": ("Ingen regler slo til.", "No rule fired."),
    "sources": ("Kilder og versjon", "Sources and version"),
    "citations": ("Kilder", "Sources"),
    "documents": (
        "Veiledere, avgjørelser og forarbeider",
        "Guidance, decisions and preparatory works",
    ),
    "citations_none": ("Ingen kilder er sitert.", "No sources are cited."),
    "version": ("Versjon", "Version"),
    "jurisdiction": ("Jurisdiksjon", "Jurisdiction"),
    "law_period_from": ("Regelverksperioden starter", "Law period starts"),
    "law_verified": ("Kontrollert mot lovteksten", "Checked against the statute"),
    "generated_at": ("Laget (tidspunkt)", "Generated at"),
    "assessment_id": ("Vurderingens ID", "Assessment ID"),
    "disclaimer_title": ("Om denne veiledningen", "About this guidance"),
    "disclaimer": (
        (
            "Dette dokumentet er veiledning, ikke juridisk rådgivning. Det er laget automatisk ut "
            "fra svarene som er oppgitt og regelverket slik det er lagt inn i verktøyet for datoen "
            "over. Er svarene feil eller ufullstendige, kan rådet være feil. Oppdragsgiveren har "
            "selv ansvaret for at anskaffelsen er lovlig. Les bestemmelsene det vises til, og spør "
            "kommuneadvokaten eller en annen jurist når saken er uklar eller mye står på spill."
        ),
        (
            "This document is guidance, not legal advice. It was produced automatically from the "
            "answers given and the law as entered in the tool for the date above. If the answers "
            "are wrong or incomplete, the advice may be wrong. The buyer remains responsible for "
            "a lawful procurement. Read the provisions referred to, and ask your legal adviser "
            "when the case is unclear or much is at stake."
        ),
    ),
    "disclaimer_short": (
        "Veiledning, ikke juridisk rådgivning",
        "Guidance, not legal advice",
    ),
    "page_word": ("Side", "Page"),
    "of_word": ("av", "of"),
    "yes": ("Ja", "Yes"),
    "no": ("Nei", "No"),
}


def pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(lang: str, key: str) -> str:
    """The PDF's own word for ``key`` in ``lang`` (KeyError for an unknown key: a bug)."""
    return pick(CHROME[key], lang)
