"""Words of the guidance PDF itself, in bokmål and English.

The texts of the advice come from the Assessment (``LocalText``); the words here are the PDF's
own: headings, table labels, the names of the answers in the Case. They live in Python rather
than in the Babel catalogs so that the PDF renders the same with or without a Flask app (CLI,
background jobs). ``t(lang, key)`` picks one language.
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
    "buyer": ("Oppdragsgiver", "Buyer"),
    "value": ("Anslått verdi (ekskl. mva.)", "Estimated value (excl. VAT)"),
    "law_date": ("Regelverk per", "Law as of"),
    "generated": ("Laget", "Generated"),
    "regime": ("Del av forskriften", "Part of the Regulation"),
    "rulebase_version": ("Regelverksversjon", "Rule-base version"),
    "caveat": ("Forbehold", "Caveat"),
    "caveat_unverified": (
        (
            "Regelverket som gjelder for denne datoen, er ikke kontrollert mot lovteksten. "
            "Kontroller rådet mot Lovdata før du bruker det."
        ),
        (
            "The law that applies on this date has not been checked against the statute text. "
            "Check the advice against Lovdata before you rely on it."
        ),
    ),
    "caveat_draft": (
        "Rådet bygger på regler som ennå ikke er godkjent av en jurist (utkast):",
        "The advice rests on rules that a lawyer has not yet approved (drafts):",
    ),
    "draft": ("utkast", "draft"),
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
    "changes": ("Hva endres", "What changes"),
    "opens": ("Åpner", "Opens"),
    "closes": ("Lukker", "Closes"),
    "adds": ("Nye plikter", "New obligations"),
    "removes": ("Plikter som faller bort", "Obligations that fall away"),
    "no_change": ("Ingen endring i veier eller plikter", "No change in routes or obligations"),
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
    "unknown": ("Vet ikke", "Don't know"),
    "not_given": ("Ikke oppgitt", "Not given"),
    "months": ("måneder", "months"),
    "month": ("måned", "month"),
}

# Labels of the ready texts in ``Route.texts`` by key.
TEXT_KINDS: dict[str, Pair] = {
    "notice": ("Tekst til kunngjøringen", "Text for the notice"),
    "clause": ("Kontraktsklausul", "Contract clause"),
    "criterion": ("Tildelingskriterium", "Award criterion"),
    "protocol": ("Tekst til protokollen", "Text for the procurement record"),
}

# Every Case field, as a question a reader recognises.
CASE_FIELDS: dict[str, Pair] = {
    "title": ("Anskaffelsens navn", "Name of the procurement"),
    "law_as_of": ("Dato for regelverket", "Date whose law applies"),
    "buyer_type": ("Hvem kjøper", "Who buys"),
    "arrangement": ("Avtaleform", "Arrangement"),
    "subject": ("Hva som kjøpes", "What is bought"),
    "service_type": ("Tjenestetype", "Type of service"),
    "cpv": ("CPV-kode", "CPV code"),
    "estimated_value_nok": ("Anslått verdi (ekskl. mva.)", "Estimated value (excl. VAT)"),
    "duration_months": ("Varighet", "Duration"),
    "target_supplier": ("Leverandørtype dere har i tankene", "Kind of supplier in view"),
    "social_aim": ("Sosialt formål", "Social aim"),
    "target_group": ("Målgruppe", "Target group"),
    "wants_reservation": ("Ønsker å reservere konkurransen", "Wants to reserve the competition"),
    "supplier_meets_wise_conditions": (
        "Leverandøren har arbeidsintegrering som hovedformål og minst 30 % vanskeligstilte ansatte",
        "Supplier's main purpose is work integration, with at least 30 % disadvantaged staff",
    ),
    "supplier_meets_ideell_definition": (
        "Leverandøren oppfyller definisjonen av ideell organisasjon",
        "Supplier meets the definition of a non-profit organisation",
    ),
    "suppliers_pay_dividends": (
        "Aktuelle leverandører kan betale utbytte",
        "Suppliers in view may pay dividends",
    ),
    "divisible_into_lots": ("Kan deles i delkontrakter", "Can be divided into lots"),
    "split_from_larger_need": (
        "Kjøpet er del av et større behov",
        "The purchase is part of a larger need",
    ),
    "recurring_need": ("Behovet kommer igjen", "The need recurs"),
    "grant_enforceable_obligation": (
        "Tilskuddsmottakeren plikter å levere en bestemt tjeneste",
        "The grant recipient must deliver a specified service",
    ),
    "in_house_private_ownership": (
        "Enheten har direkte privat eierskap",
        "The entity has direct private ownership",
    ),
    "in_house_control_and_activity": (
        "Dere kontrollerer enheten, og over 80 % av aktiviteten er for dere",
        "You control the entity and more than 80 % of its activity is for you",
    ),
    "only_one_possible_supplier": (
        "Bare én leverandør kan levere",
        "Only one supplier can deliver",
    ),
    "wants_direct_award": ("Ønsker direkte tildeling", "Wants a direct award"),
    "wants_local_suppliers_only": ("Ønsker bare lokale leverandører", "Wants local suppliers only"),
    "wants_social_award_criteria": (
        "Ønsker sosiale tildelingskriterier",
        "Wants social award criteria",
    ),
    "wants_social_contract_conditions": (
        "Ønsker sosiale kontraktsvilkår",
        "Wants social contract conditions",
    ),
    "wants_market_dialogue": ("Ønsker dialog med markedet", "Wants market dialogue"),
    "wants_innovation": ("Ønsker innovasjon", "Wants innovation"),
    "wants_user_choice": ("Ønsker brukervalg", "Wants user choice"),
    "is_framework_agreement": ("Rammeavtale", "Framework agreement"),
    "subcontracting_expected": ("Underleverandører ventes", "Subcontracting expected"),
    "work_performed_abroad": ("Arbeid utføres i utlandet", "Work performed abroad"),
    "apprentice_trade_relevant": (
        "Arbeidet er i et lærefag",
        "The work is in a trade with apprentices",
    ),
    "emergency_response_service": (
        "Tjenesten er beredskap, sivilforsvar eller redningstjeneste",
        "The service is civil defence, civil protection or emergency response",
    ),
    "involves_public_authority": (
        "Tjenesten innebærer offentlig myndighetsutøvelse",
        "The service involves exercising public authority",
    ),
    "rd_shared_benefit": (
        "Forsknings- og utviklingstjeneste der dere ikke både får hele nytten og betaler alt",
        "Research and development where you do not both keep all the benefit and pay all",
    ),
    "social_criterion_linked_to_contract": (
        "Det sosiale kriteriet måler det som gjøres på denne kontrakten",
        "The social criterion measures what is done on this contract",
    ),
    "supplier_in_cleaning_register": (
        "Leverandøren er godkjent i renholdsregisteret",
        "The supplier is approved in the cleaning register",
    ),
}

# Words for enum values, per Case field (Answer values are handled by ``yes/no/unknown``).
ENUM_VALUES: dict[str, dict[str, Pair]] = {
    "buyer_type": {
        "municipality": ("Kommune", "Municipality"),
        "county": ("Fylkeskommune", "County authority"),
        "state": ("Statlig myndighet", "Central government authority"),
        "other_public_body": (
            "Annet offentligrettslig organ",
            "Other body governed by public law",
        ),
    },
    "arrangement": {
        "contract": ("Kontrakt", "Contract"),
        "grant": ("Tilskudd", "Grant"),
        "in_house": ("Egenregi", "In-house"),
        "unsure": ("Usikker", "Not sure"),
    },
    "subject": {
        "goods": ("Varer", "Goods"),
        "services": ("Tjenester", "Services"),
        "works": ("Bygge- og anleggsarbeid", "Works"),
    },
    "service_type": {
        "ordinary": ("Ordinær tjeneste", "Ordinary service"),
        "special": ("Særlig tjeneste (FOA vedlegg 2)", "Special service (FOA annex 2)"),
        "health_social": (
            "Helse- og sosialtjeneste (FOA vedlegg 3)",
            "Health or social service (FOA annex 3)",
        ),
    },
    "social_aim": {
        "work_inclusion": (
            "Arbeid til personer utenfor arbeidslivet",
            "Jobs for people outside work",
        ),
        "training": (
            "Arbeidstrening, læreplasser eller kvalifisering",
            "Training or apprenticeships",
        ),
        "care_and_welfare": (
            "Bedre helse-, omsorgs- eller sosialtjenester",
            "Better care or welfare",
        ),
        "local_community": ("Aktivitet og inkludering i lokalmiljøet", "Local community inclusion"),
        "other": ("Annet sosialt formål", "Another social aim"),
    },
    "target_group": {
        "long_term_unemployed": ("Langtidsledige", "Long-term unemployed people"),
        "disabled": ("Personer med funksjonsnedsettelse", "People with disabilities"),
        "young_outside_work": ("Unge utenfor arbeid og utdanning", "Young people outside work"),
        "language_or_work_experience": (
            "Personer som trenger språk eller arbeidserfaring",
            "People who need language skills or work experience",
        ),
        "substance_use_or_prison": (
            "Personer med rusproblemer eller fra fengsel",
            "People with substance-use problems or leaving prison",
        ),
        "service_users": ("Brukerne av tjenesten", "The users of the service"),
        "other": ("En annen gruppe", "Another group"),
    },
    "target_supplier": {
        "wise": ("Arbeidsintegrerende virksomhet", "Work-integration social enterprise"),
        "ideell": ("Ideell organisasjon", "Non-profit (ideell) organisation"),
        "social_enterprise": ("Annen sosial entreprenør", "Other social enterprise"),
        "none": ("Ingen bestemt", "None in particular"),
    },
}


def pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(lang: str, key: str) -> str:
    """The PDF's own word for ``key`` in ``lang`` (KeyError for an unknown key: a bug)."""
    return pick(CHROME[key], lang)
