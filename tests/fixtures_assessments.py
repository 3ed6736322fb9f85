"""Realistic Assessments for the guidance-PDF tests, built by hand (no rule engine needed).

The texts follow the Norwegian rule base (rules/no/) so the PDFs read like real ones:
- ``wise_cleaning_part_iii``: a kommune's cleaning contract, 3.6 MNOK, reserved for WISE (Del III).
- ``ideell_part_iv``: a county's health and social service, reserved for ideelle (Del IV).
- ``draft_unverified``: a date after 1 July 2026 (unverified law) resting on a draft rule.
- ``hostile_markup``: title and texts full of markup, template syntax and local URLs.
"""

from __future__ import annotations

import datetime as dt
import re

from advisor.assessment import (
    Assessment,
    Branch,
    Citation,
    FactUse,
    LocalText,
    Obligation,
    OpenQuestion,
    ParameterUse,
    Regime,
    Route,
    RulesetInfo,
    TrailEntry,
    Warning,
)
from advisor.case import Answer, Case

VERSION = "3f9a1c2be4d0"
GENERATED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)

_SECTION_URL = {
    "FOA": "https://lovdata.no/forskrift/2016-08-12-974/§{section}",
    "LOA": "https://lovdata.no/lov/2016-06-17-73/§{section}",
}
_ACT_URL = {
    "FOA": "https://lovdata.no/dokument/SF/forskrift/2016-08-12-974",
    "LOA": "https://lovdata.no/dokument/NL/lov/2016-06-17-73",
}


def L(nb: str, en: str) -> LocalText:
    return LocalText(nb=nb, en=en)


def cite(*texts: str) -> list[Citation]:
    """Citations with lovdata links, as the rule base builds them from sources.yaml."""
    result = []
    for text in texts:
        match = re.match(r"^(\w+)(?: § (\d+(?:-\d+)?[a-z]?))?", text)
        act, section = match[1], match[2]
        url = _SECTION_URL[act].format(section=section) if section else _ACT_URL[act]
        result.append(Citation(text=text, url=url))
    return result


def ruleset(law_as_of: dt.date, verified: bool = True) -> RulesetInfo:
    return RulesetInfo(
        jurisdiction="no",
        version=VERSION,
        law_as_of=law_as_of,
        git_describe="v0.1.0-12-g3f9a1c2",
        law_verified=verified,
        period_from=dt.date(2026, 7, 1) if not verified else dt.date(2017, 1, 1),
    )


NOTICE_WISE_16_9 = L(
    "Konkurransen er reservert for virksomheter og programmer som har som hovedformål å integrere "
    "funksjonshemmede eller vanskeligstilte personer i arbeidslivet, og der minst 30 prosent av "
    "de ansatte er funksjonshemmede eller vanskeligstilte, jf. anskaffelsesforskriften § 16-9.",
    "The competition is reserved for enterprises and programmes whose main purpose is the social "
    "and professional integration of disabled or disadvantaged persons, and where at least 30 per "
    "cent of the employees are disabled or disadvantaged, cf. section 16-9 of the Public "
    "Procurement Regulation.",
)


def _regime_other_above_eos() -> TrailEntry:
    return TrailEntry(
        rule="regime.other_above_eos",
        kind="derive",
        conclusion="regime = part_iii",
        status="approved",
        legal_basis=cite("FOA § 5-1", "FOA § 5-3"),
        facts=[
            FactUse(
                name="service_class",
                value="ordinary_service",
                label=L("tjenesteklassen", "the service class"),
                derived_by="class.ordinary",
            ),
            FactUse(name="buyer_type", value="municipality", label=L("oppdragsgiver", "the buyer")),
            FactUse(
                name="estimated_value_nok",
                value=3_600_000,
                label=L("anslått verdi", "the estimated value"),
            ),
        ],
        parameters=[
            ParameterUse(
                name="eos_threshold_other",
                unit="NOK",
                value=2_300_000,
                valid_from=dt.date(2024, 3, 14),
                label=L(
                    "EØS-terskelverdien for andre oppdragsgiveres vare- og tjenestekjøp",
                    "the EEA threshold for other buyers' goods and services",
                ),
            )
        ],
    )


def wise_cleaning_part_iii() -> Assessment:
    """Kommune, renhold 3.6 MNOK over three years, reserved for a WISE: Del III, FOA § 16-9."""
    case = Case(
        law_as_of=dt.date(2026, 3, 1),
        title="Renhold av kommunale formålsbygg 2027–2029",
        buyer_type="municipality",
        subject="services",
        service_type="ordinary",
        cpv="90910000-9",
        estimated_value_nok=3_600_000,
        duration_months=36,
        target_supplier="wise",
        wants_reservation=True,
        supplier_meets_wise_conditions=Answer.yes,
        divisible_into_lots=Answer.yes,
        subcontracting_expected=Answer.unknown,
        wants_social_contract_conditions=True,
    )
    reserved = Route(
        code="reserved_wise",
        available=True,
        rank=20,
        title=L(
            "reservert konkurranse for arbeidsintegrerende virksomheter",
            "competition reserved for work-integration enterprises",
        ),
        summary=L(
            "Konkurransen begrenses til virksomheter med integrering i arbeidslivet som hovedformål "
            "og minst 30 % funksjonshemmede eller vanskeligstilte ansatte.",
            "The competition is limited to enterprises whose main purpose is work integration and "
            "at least 30 % of whose staff are disabled or disadvantaged.",
        ),
        legal_basis=cite("FOA § 16-9"),
        why=L(
            "Del III gjelder, og FOA § 16-9 lar dere reservere konkurransen for virksomheter med "
            "arbeidsintegrering som hovedformål og minst 30 % funksjonshemmede eller "
            "vanskeligstilte ansatte.",
            "Part III applies, and FOA § 16-9 lets you reserve the competition for enterprises "
            "whose main purpose is work integration and at least 30 % of whose employees are "
            "disabled or disadvantaged.",
        ),
        steps=[
            L(
                "Skriv i kunngjøringen (Doffin og TED) at konkurransen er reservert etter FOA § 16-9.",
                "State in the notice (Doffin and TED) that the competition is reserved under "
                "FOA § 16-9.",
            ),
            L(
                "Krev dokumentasjon på hovedformålet og 30 %-kravet som vilkår for å delta, for "
                "eksempel vedtekter og en oversikt over ansatte bekreftet av revisor eller NAV.",
                "Require evidence of the main purpose and the 30 % condition as a condition for "
                "taking part, for example the articles of association and a staff overview "
                "confirmed by an auditor or NAV.",
            ),
            L(
                "Vurder om kritiske oppgaver skal utføres av leverandøren selv (FOA § 19-2).",
                "Consider requiring critical tasks to be performed by the supplier itself "
                "(FOA § 19-2).",
            ),
            L(
                "Før begrunnelsen for reservasjonen og dokumentasjonen i protokollen.",
                "Record the reasons for the reservation and the evidence in the procurement "
                "record.",
            ),
        ],
        texts={
            "notice": NOTICE_WISE_16_9,
            "clause": L(
                "Leverandøren skal gjennom hele kontraktsperioden oppfylle vilkårene i "
                "anskaffelsesforskriften § 16-9. Endringer som gjør at vilkårene ikke lenger er "
                "oppfylt, skal straks meldes til oppdragsgiveren.",
                "Throughout the contract term the supplier shall meet the conditions in section "
                "16-9 of the Public Procurement Regulation. Any change by which the conditions "
                "are no longer met shall be reported to the buyer at once.",
            ),
            "protocol": L(
                "Konkurransen ble reservert etter FOA § 16-9. Leverandørene dokumenterte "
                "hovedformålet og andelen funksjonshemmede eller vanskeligstilte ansatte.",
                "The competition was reserved under FOA § 16-9. The suppliers documented their "
                "main purpose and the share of disabled or disadvantaged employees.",
            ),
        },
        rules=["reserved_wise.part_iii"],
    )
    conditions = Route(
        code="social_contract_conditions",
        available=True,
        rank=50,
        title=L("sosiale kontraktsvilkår", "social contract conditions"),
        legal_basis=cite("LOA § 5", "FOA § 19-1"),
        why=L(
            "Dere kan stille vilkår om for eksempel praksisplasser eller arbeidstrening når "
            "vilkårene henger sammen med leveransen.",
            "You may set conditions on, for example, work placements or job training when the "
            "conditions are linked to the delivery.",
        ),
        steps=[
            L(
                "Beskriv vilkåret og hvordan det følges opp i kontrakten.",
                "Describe the condition and how it is followed up in the contract.",
            )
        ],
        texts={
            "clause": L(
                "Leverandøren skal tilby minst to arbeidstreningsplasser i kontraktsperioden, i "
                "samarbeid med NAV.",
                "The supplier shall offer at least two job-training places during the contract "
                "term, in cooperation with NAV.",
            )
        },
        rules=["social_contract_conditions.any"],
    )
    invite = Route(
        code="invite_only_wise",
        available=False,
        rank=25,
        title=L(
            "forespørsel bare til arbeidsintegrerende virksomheter",
            "inviting only work-integration enterprises",
        ),
        legal_basis=cite("LOA § 4", "FOA § 5-1"),
        why=L(
            "Forespørsel bare til arbeidsintegrerende virksomheter krever at bare del I gjelder. "
            "I din sak: del I og del III gjelder.",
            "Inviting only work-integration enterprises requires that only Part I applies. In "
            "your case: Parts I and III apply.",
        ),
    )
    ideell = Route(
        code="reserved_ideell",
        available=False,
        rank=30,
        title=L(
            "reservert konkurranse for ideelle organisasjoner",
            "competition reserved for non-profit organisations",
        ),
        legal_basis=cite("FOA § 30-2a"),
        why=L(
            "Reservert konkurranse for ideelle organisasjoner krever at tjenesten er en helse- "
            "og sosialtjeneste i FOA vedlegg 3. I din sak: renhold er en ordinær tjeneste.",
            "A competition reserved for non-profit organisations requires a health or social "
            "service in FOA annex 3. In your case: cleaning is an ordinary service.",
        ),
    )
    direct = Route(
        code="direct_purchase",
        available=False,
        rank=10,
        title=L("Direkte kjøp", "Direct purchase"),
        legal_basis=cite("FOA § 1-1"),
        why=L(
            "Direkte kjøp krever at verdien er under forskriftens nedre grense (100 000 kr). "
            "I din sak: anslått verdi er 3 600 000 kr.",
            "A direct purchase requires a value below the Regulation's lower limit (NOK 100,000). "
            "In your case: the estimated value is NOK 3,600,000.",
        ),
    )
    obligations = [
        Obligation(
            code="reservation_in_notice",
            title=L(
                "Reservasjonen skal stå i kunngjøringen",
                "The reservation must be stated in the notice",
            ),
            legal_basis=cite("FOA § 16-9"),
            rules=["reserved_wise.part_iii"],
        ),
        Obligation(
            code="document_wise_conditions",
            title=L(
                "Dokumentasjon av 30 %-kravet og hovedformålet",
                "Evidence of the 30 % condition and the main purpose",
            ),
            why=L(
                "Krev dokumentasjonen før dere avgjør hvem som får delta.",
                "Require the evidence before deciding who may take part.",
            ),
            legal_basis=cite("FOA § 16-9"),
            rules=["reserved_wise.part_iii"],
        ),
        Obligation(
            code="notice_doffin",
            title=L("Kunngjøring i Doffin", "Notice in Doffin"),
            legal_basis=cite("FOA § 21-2"),
            rules=["notice.part_iii"],
        ),
        Obligation(
            code="notice_ted",
            title=L("Kunngjøring i TED (via Doffin)", "Notice in TED (through Doffin)"),
            why=L(
                "Over EØS-terskelverdien sendes kunngjøringen via Doffin til TED.",
                "Above the EEA threshold the notice goes through Doffin to TED.",
            ),
            legal_basis=cite("FOA § 21-2"),
            rules=["notice.part_iii"],
        ),
        Obligation(
            code="standstill",
            title=L(
                "Karensperiode før kontrakten inngås",
                "Standstill period before the contract is signed",
            ),
            legal_basis=cite("FOA § 25-3"),
            rules=["standstill.part_iii"],
        ),
        Obligation(
            code="pay_conditions",
            title=L("Krav om lønns- og arbeidsvilkår", "Pay and working conditions"),
            legal_basis=cite("LOA § 6"),
            rules=["pay_conditions.services"],
        ),
        Obligation(
            code="tax_certificate",
            title=L("Skatteattest", "Tax certificate"),
            legal_basis=cite("FOA § 7-2"),
            rules=["tax_certificate.above_national"],
        ),
        Obligation(
            code="protocol",
            title=L("Dokumentasjon og protokoll", "Documentation and procurement record"),
            legal_basis=cite("FOA § 7-1"),
            rules=["protocol.all"],
        ),
    ]
    warnings = [
        Warning(
            code="subcontracting_in_reserved",
            title=L(
                "Underleverandører i en reservert kontrakt", "Subcontractors in a reserved contract"
            ),
            message=L(
                "Dere vet ikke om leverandøren vil bruke underleverandører. Vurder å kreve at "
                "kritiske oppgaver utføres av den reserverte virksomheten selv, slik at formålet "
                "med reservasjonen ikke omgås.",
                "You do not know whether the supplier will use subcontractors. Consider requiring "
                "critical tasks to be performed by the reserved enterprise itself, so that the "
                "purpose of the reservation is not circumvented.",
            ),
            legal_basis=cite("FOA § 19-2"),
            rules=["warning.subcontracting_in_reserved"],
        )
    ]
    trail = [
        _regime_other_above_eos(),
        TrailEntry(
            rule="reserved_wise.part_iii",
            kind="route",
            conclusion="route reserved_wise open",
            status="approved",
            legal_basis=cite("FOA § 16-9"),
            facts=[
                FactUse(
                    name="regime",
                    value="part_iii",
                    label=L("regimet", "the regime"),
                    derived_by="regime.other_above_eos",
                )
            ],
        ),
        TrailEntry(
            rule="notice.part_iii",
            kind="obligation",
            conclusion="obligation notice_ted",
            status="approved",
            legal_basis=cite("FOA § 21-2"),
            facts=[FactUse(name="regime", value="part_iii", label=L("regimet", "the regime"))],
        ),
        TrailEntry(
            rule="warning.subcontracting_in_reserved",
            kind="warning",
            conclusion="warning subcontracting_in_reserved",
            status="approved",
            legal_basis=cite("FOA § 19-2"),
            facts=[
                FactUse(
                    name="subcontracting_expected",
                    value="unknown",
                    label=L("om underleverandører ventes", "whether subcontracting is expected"),
                ),
                FactUse(
                    name="wants_reservation",
                    value=True,
                    label=L("ønsket om å reservere", "the wish to reserve"),
                ),
            ],
        ),
    ]
    return Assessment(
        id="a-2026-0001",
        case=case,
        ruleset=ruleset(case.law_as_of),
        regime=Regime(
            code="part_iii",
            title=L("Del I og del III", "Parts I and III"),
            legal_basis=cite("FOA § 5-1", "FOA § 5-3"),
            why=L(
                "Kjøp av varer og tjenester på eller over EØS-terskelverdien for andre "
                "oppdragsgivere enn staten følger del I og del III.",
                "Purchases of goods and services at or above the EEA threshold for buyers other "
                "than central government follow Parts I and III.",
            ),
            rule="regime.other_above_eos",
        ),
        derived={"regime": "part_iii", "service_class": "ordinary_service"},
        routes=[reserved, conditions, direct, invite, ideell],
        obligations=obligations,
        warnings=warnings,
        trail=trail,
        open_questions=[
            OpenQuestion(
                field="subcontracting_expected",
                label=L("om underleverandører ventes", "whether subcontracting is expected"),
                branches=[
                    Branch(
                        answer="yes",
                        answer_label=L("ja", "yes"),
                        regime="part_iii",
                        regime_title=L("Del I og del III", "Parts I and III"),
                        adds_obligations=["chain_limit"],
                    ),
                    Branch(
                        answer="no",
                        answer_label=L("nei", "no"),
                        regime="part_iii",
                        regime_title=L("Del I og del III", "Parts I and III"),
                    ),
                ],
            )
        ],
        generated_at=GENERATED,
    )


def ideell_part_iv() -> Assessment:
    """Fylkeskommune, helse- og sosialtjeneste 12 MNOK, reserved for ideelle: Del IV, § 30-2a."""
    case = Case(
        law_as_of=dt.date(2026, 5, 4),
        title="Rusbehandling og oppfølging i bolig",
        buyer_type="county",
        subject="services",
        service_type="health_social",
        cpv="85312400",
        estimated_value_nok=12_000_000,
        duration_months=48,
        target_supplier="ideell",
        wants_reservation=True,
        supplier_meets_ideell_definition=Answer.yes,
        suppliers_pay_dividends=Answer.no,
    )
    ideell = Route(
        code="reserved_ideell",
        available=True,
        rank=30,
        title=L(
            "reservert konkurranse for ideelle organisasjoner",
            "competition reserved for non-profit organisations",
        ),
        summary=L(
            "Konkurranser om helse- og sosialtjenester over EØS-terskelverdien kan reserveres for "
            "ideelle organisasjoner.",
            "Competitions for health and social services above the EEA threshold may be reserved "
            "for non-profit organisations.",
        ),
        legal_basis=cite("FOA § 30-2a"),
        why=L(
            "Tjenesten er en helse- og sosialtjeneste i FOA vedlegg 3 med verdi på eller over "
            "EØS-terskelverdien. FOA § 30-2a lar dere reservere konkurransen for ideelle "
            "organisasjoner når det bidrar til sosiale mål, fellesskapets beste og "
            "budsjettmessig effektivitet.",
            "The service is a health or social service in FOA annex 3 valued at or above the EEA "
            "threshold. FOA § 30-2a lets you reserve the competition for non-profit "
            "organisations where this serves social aims, the common good and budgetary "
            "efficiency.",
        ),
        steps=[
            L(
                "Vurder og begrunn at reservasjonen bidrar til sosiale mål, fellesskapets beste og "
                "budsjettmessig effektivitet.",
                "Assess and give reasons why the reservation serves social aims, the common good "
                "and budgetary efficiency.",
            ),
            L("Vis til FOA § 30-2a i kunngjøringen.", "Refer to FOA § 30-2a in the notice."),
            L(
                "Før begrunnelsen for reservasjonen i protokollen (FOA § 10-5).",
                "Record the reasons for the reservation in the procurement record (FOA § 10-5).",
            ),
        ],
        texts={
            "notice": L(
                "Konkurransen er reservert for ideelle organisasjoner, jf. "
                "anskaffelsesforskriften § 30-2a.",
                "The competition is reserved for non-profit organisations, cf. section 30-2a of "
                "the Public Procurement Regulation.",
            ),
            "criterion": L(
                "Kvalitet (60 %): brukermedvirkning, kontinuitet i oppfølgingen og samarbeid med "
                "kommunens tjenester.",
                "Quality (60 %): user involvement, continuity of follow-up and cooperation with "
                "the municipality's services.",
            ),
        },
        rules=["reserved_ideell.part_iv"],
    )
    wise = Route(
        code="reserved_wise",
        available=True,
        rank=20,
        title=L(
            "reservert konkurranse for arbeidsintegrerende virksomheter",
            "competition reserved for work-integration enterprises",
        ),
        legal_basis=cite("FOA § 30-3"),
        why=L(
            "Del IV gjelder, og FOA § 30-3 lar dere reservere konkurransen for virksomheter med "
            "arbeidsintegrering som hovedformål.",
            "Part IV applies, and FOA § 30-3 lets you reserve the competition for enterprises "
            "whose main purpose is work integration.",
        ),
        steps=[
            L(
                "Skriv i kunngjøringen at konkurransen er reservert etter FOA § 30-3.",
                "State in the notice that the competition is reserved under FOA § 30-3.",
            )
        ],
        rules=["reserved_wise.part_iv"],
    )
    invite = Route(
        code="invite_only_ideell",
        available=False,
        rank=35,
        title=L(
            "forespørsel bare til ideelle organisasjoner", "inviting only non-profit organisations"
        ),
        legal_basis=cite("LOA § 4", "FOA § 5-1"),
        why=L(
            "Forespørsel bare til ideelle organisasjoner krever at bare del I gjelder. I din "
            "sak: del I og del IV gjelder.",
            "Inviting only non-profit organisations requires that only Part I applies. In your "
            "case: Parts I and IV apply.",
        ),
    )
    return Assessment(
        id="a-2026-0002",
        case=case,
        ruleset=ruleset(case.law_as_of),
        regime=Regime(
            code="part_iv",
            title=L("Del I og del IV", "Parts I and IV"),
            legal_basis=cite("FOA § 5-1", "FOA § 5-3"),
            why=L(
                "Helse- og sosialtjenester med verdi på eller over EØS-terskelverdien følger "
                "del I og del IV.",
                "Health and social services at or above the EEA threshold follow Parts I and IV.",
            ),
            rule="regime.health_social_above_eos",
        ),
        routes=[wise, ideell, invite],
        obligations=[
            Obligation(
                code="notice_doffin",
                title=L("Kunngjøring i Doffin", "Notice in Doffin"),
                legal_basis=cite("FOA § 30-4"),
            ),
            Obligation(
                code="protocol",
                title=L("Dokumentasjon og protokoll", "Documentation and procurement record"),
                legal_basis=cite("FOA § 10-5"),
            ),
        ],
        trail=[
            TrailEntry(
                rule="regime.health_social_above_eos",
                kind="derive",
                conclusion="regime = part_iv",
                status="approved",
                legal_basis=cite("FOA § 5-1", "FOA § 5-3"),
                facts=[
                    FactUse(
                        name="service_type",
                        value="health_social",
                        label=L("tjenestetypen", "the type of service"),
                    ),
                    FactUse(
                        name="estimated_value_nok",
                        value=12_000_000,
                        label=L("anslått verdi", "the estimated value"),
                    ),
                ],
                parameters=[
                    ParameterUse(
                        name="eos_threshold_special",
                        unit="NOK",
                        value=7_800_000,
                        valid_from=dt.date(2022, 3, 23),
                        label=L(
                            "EØS-terskelverdien for særlige tjenester og helse- og sosialtjenester",
                            "the EEA threshold for special services and health and social services",
                        ),
                    )
                ],
            ),
            TrailEntry(
                rule="reserved_ideell.part_iv",
                kind="route",
                conclusion="route reserved_ideell open",
                status="approved",
                legal_basis=cite("FOA § 30-2a"),
                facts=[FactUse(name="regime", value="part_iv", label=L("regimet", "the regime"))],
            ),
        ],
        generated_at=GENERATED,
    )


UNVERIFIED_NOTE = L(
    "Endringene i anskaffelsesloven fra 1. juli 2026 (Prop. 147 L (2024–2025)) er ikke kontrollert "
    "mot lovteksten. Rådet bygger på det som er kjent om endringene, og må kontrolleres mot "
    "Lovdata før du bruker det.",
    "The amendments to the Public Procurement Act in force from 1 July 2026 (Prop. 147 L "
    "(2024–2025)) have not been checked against the statute text. The advice rests on what is "
    "known about them and must be checked against Lovdata before you rely on it.",
)


def draft_unverified() -> Assessment:
    """After 1 July 2026 (unverified law), resting on the draft lower limit of 300 000 NOK."""
    case = Case(
        law_as_of=dt.date(2026, 9, 1),
        title="Catering til møter og arrangementer",
        buyer_type="municipality",
        subject="services",
        service_type="ordinary",
        estimated_value_nok=450_000,
        duration_months=12,
        target_supplier="wise",
        supplier_meets_wise_conditions=Answer.unknown,
    )
    invite = Route(
        code="invite_only_wise",
        available=True,
        rank=25,
        draft=True,
        title=L(
            "forespørsel bare til arbeidsintegrerende virksomheter",
            "inviting only work-integration enterprises",
        ),
        summary=L(
            "I del I kan dere selv velge hvilke leverandører dere spør, også bare "
            "arbeidsintegrerende virksomheter.",
            "In Part I you may choose which suppliers to ask, including only "
            "work-integration enterprises.",
        ),
        legal_basis=cite("LOA § 4", "FOA § 5-1"),
        why=L(
            "Bare del I gjelder. Dere kan begrense konkurransen til arbeidsintegrerende "
            "virksomheter, så lenge de grunnleggende prinsippene følges.",
            "Only Part I applies. You may limit the competition to work-integration "
            "enterprises, provided the basic principles are respected.",
        ),
        steps=[
            L(
                "Spør flere arbeidsintegrerende virksomheter når det finnes flere.",
                "Ask several work-integration enterprises where several exist.",
            ),
            L(
                "Før en kort begrunnelse i protokollen.",
                "Record a short reason in the procurement record.",
            ),
        ],
        rules=["invite_only_wise.part_i"],
    )
    direct = Route(
        code="direct_purchase",
        available=False,
        rank=10,
        draft=True,
        title=L("Direkte kjøp", "Direct purchase"),
        legal_basis=cite("FOA § 1-1"),
        why=L(
            "Direkte kjøp krever at verdien er under forskriftens nedre grense (300 000 kr, "
            "utkast). I din sak: anslått verdi er 450 000 kr.",
            "A direct purchase requires a value below the Regulation's lower limit (NOK "
            "300,000, draft). In your case: the estimated value is NOK 450,000.",
        ),
        rules=["regime.below_lower_limit"],
    )
    return Assessment(
        id="a-2026-0003",
        case=case,
        ruleset=ruleset(case.law_as_of, verified=False),
        regime=Regime(
            code="part_i",
            title=L("Del I", "Part I"),
            legal_basis=cite("FOA § 5-1"),
            why=L(
                "Verdien er over forskriftens nedre grense og under den nasjonale "
                "terskelverdien, så bare del I gjelder.",
                "The value is above the Regulation's lower limit and below the "
                "national threshold, so only Part I applies.",
            ),
        ),
        routes=[invite, direct],
        obligations=[
            Obligation(
                code="protocol",
                title=L("Dokumentasjon og protokoll", "Documentation and procurement record"),
                legal_basis=cite("FOA § 7-1"),
                draft=True,
                rules=["protocol.part_i_2026"],
            ),
        ],
        warnings=[
            Warning(
                code="draft_rule",
                title=L(
                    "Rådet bygger på regler som ikke er godkjent",
                    "The advice rests on rules that are not approved",
                ),
                message=L(
                    "En eller flere regler bak dette rådet er utkast som ikke er "
                    "godkjent av en jurist. Kontroller rådet før du bruker det.",
                    "One or more rules behind this advice are drafts not yet approved "
                    "by a lawyer. Check the advice before you rely on it.",
                ),
                rules=["regime.below_lower_limit", "protocol.part_i_2026"],
            ),
            Warning(
                code="unverified_law",
                title=L(
                    "Regelverket for datoen er ikke kontrollert",
                    "The law for this date is not verified",
                ),
                message=UNVERIFIED_NOTE,
            ),
        ],
        trail=[
            TrailEntry(
                rule="regime.part_i",
                kind="derive",
                conclusion="regime = part_i",
                status="approved",
                legal_basis=cite("FOA § 5-1"),
                facts=[
                    FactUse(
                        name="estimated_value_nok",
                        value=450_000,
                        label=L("anslått verdi", "the estimated value"),
                    )
                ],
                parameters=[
                    ParameterUse(
                        name="lower_limit",
                        unit="NOK",
                        value=300_000,
                        valid_from=dt.date(2026, 7, 1),
                        draft=True,
                        label=L("forskriftens nedre grense", "the Regulation's lower limit"),
                    ),
                    ParameterUse(
                        name="national_threshold",
                        unit="NOK",
                        value=1_300_000,
                        valid_from=dt.date(2018, 4, 6),
                        label=L("den nasjonale terskelverdien", "the national threshold"),
                    ),
                ],
            ),
            TrailEntry(
                rule="protocol.part_i_2026",
                kind="obligation",
                conclusion="obligation protocol",
                status="draft",
                legal_basis=cite("FOA § 7-1"),
                facts=[FactUse(name="regime", value="part_i", label=L("regimet", "the regime"))],
            ),
        ],
        generated_at=GENERATED,
    )


HOSTILE_TITLE = '<script>alert("x")</script> & {{ 7*7 }} {% raw %}'


def hostile_markup(port: int = 9) -> Assessment:
    """Texts with HTML, template syntax and URLs that must print literally and fetch nothing."""
    url = f"http://127.0.0.1:{port}/x.png"
    img = f'<img src="{url}"><link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
    evil = L(
        f"Bruk & ikke <b>fet</b> {img} </td></tr></table><h1>brudd</h1> {{{{ config }}}}",
        f"Use & not <b>bold</b> {img} </td></tr></table><h1>break</h1> {{{{ config }}}}",
    )
    base = wise_cleaning_part_iii()
    case = base.case.model_copy(update={"title": HOSTILE_TITLE})
    route = base.routes[0].model_copy(
        update={
            "title": L("<i>rute</i> & {{ x }}", "<i>route</i> & {{ x }}"),
            "why": evil,
            "steps": [evil],
            "texts": {
                "notice": evil,
                "<style>": L(
                    '<link rel="attachment" href="file:///etc/passwd">',
                    '<link rel="attachment" href="file:///etc/passwd">',
                ),
            },
            "legal_basis": [
                Citation(text="FOA § 16-9", url="javascript:alert(1)"),
                Citation(text="FOA § 16-9 <b>", url=f'{url}" onclick="x'),
            ],
        }
    )
    warning = Warning(code="x<y", title=evil, message=evil)
    return base.model_copy(
        update={
            "case": case,
            "routes": [route, *base.routes[1:]],
            "warnings": [warning, *base.warnings],
        }
    )


ALL = {
    "wise_cleaning_part_iii": wise_cleaning_part_iii,
    "ideell_part_iv": ideell_part_iv,
    "draft_unverified": draft_unverified,
    "hostile_markup": hostile_markup,
}
