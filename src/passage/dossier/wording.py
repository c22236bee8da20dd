"""The fixed wording of a dossier in the destination's language (English, German, French).

A dossier is written for an embassy, not for the office: its language is the destination's,
independent of the staff interface's language (English and Russian through gettext). The
knowledge base labels requirements in English and Russian only; German and French dossiers
use the English requirement labels (the lawyer reviews every dossier before it is sent).
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = [
    "COUNTRY_NAMES",
    "DOSSIER_LANGUAGES",
    "KIND_LABELS",
    "WORDS",
    "default_language",
    "fact_sentences",
    "format_date",
]

DOSSIER_LANGUAGES = (("en", "English"), ("de", "Deutsch"), ("fr", "Français"))

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Application dossier", "applicant": "Applicant", "case": "Office reference", "pathway": "Application for",
        "legal_basis": "Legal basis", "destination": "Addressed to", "prepared": "Prepared", "by": "by", "contents": "Contents",
        "letter": "Cover letter", "summary": "Summary of the applicant's situation", "statement": "Statement",
        "checklist": "Requirements and supporting evidence", "requirement": "Requirement", "evidence": "Evidence",
        "state": "State", "documented": "documented", "missing": "evidence missing", "no_document": "no document needed",
        "still_needed": "still needed", "index": "Index of evidence", "number": "No.", "kind": "Document", "description": "Description",
        "date": "Dated", "pages": "Pages", "translation": "Translation", "annex": "Annex", "page": "page",
        "annexes": "Annexes", "not_attached": "not attached (file type cannot be printed; available on request)",
        "missing_translations": "Translations still missing", "none_missing": "No translation is missing.",
        "certified": "certified", "draft": "draft", "needed": "needed", "no_translation": "none", "original_language": "original language",
        "translation_of": "Certified translation of annex", "translator": "Translator", "hash_note": "SHA-256 of the file as received; the office can produce the file for comparison.",
        "truncated": "Only the first {count} pages are attached.", "rasterised": "printed as an image",
        "file_metadata": "Metadata recorded in the file", "unreadable": "The file could not be printed; the office holds it.",
        "over_budget": "not attached (the dossier is full; available on request)",
    },
    "de": {
        "title": "Antragsunterlagen", "applicant": "Antragsteller", "case": "Aktenzeichen des Büros", "pathway": "Antrag auf",
        "legal_basis": "Rechtsgrundlage", "destination": "An", "prepared": "Erstellt am", "by": "von", "contents": "Inhalt",
        "letter": "Anschreiben", "summary": "Zusammenfassung der Lage des Antragstellers", "statement": "Erklärung",
        "checklist": "Voraussetzungen und Nachweise", "requirement": "Voraussetzung", "evidence": "Nachweis",
        "state": "Stand", "documented": "belegt", "missing": "Nachweis fehlt", "no_document": "kein Dokument erforderlich",
        "still_needed": "noch erforderlich", "index": "Verzeichnis der Nachweise", "number": "Nr.", "kind": "Dokument", "description": "Beschreibung",
        "date": "Datum", "pages": "Seiten", "translation": "Übersetzung", "annex": "Anlage", "page": "Seite",
        "annexes": "Anlagen", "not_attached": "nicht beigefügt (Dateityp nicht druckbar; auf Anfrage erhältlich)",
        "missing_translations": "Noch fehlende Übersetzungen", "none_missing": "Es fehlt keine Übersetzung.",
        "certified": "beglaubigt", "draft": "Entwurf", "needed": "erforderlich", "no_translation": "keine", "original_language": "Originalsprache",
        "translation_of": "Beglaubigte Übersetzung der Anlage", "translator": "Übersetzer", "hash_note": "SHA-256 der Datei wie erhalten; das Büro kann die Datei zum Vergleich vorlegen.",
        "truncated": "Nur die ersten {count} Seiten sind beigefügt.", "rasterised": "als Bild gedruckt",
        "file_metadata": "In der Datei gespeicherte Metadaten", "unreadable": "Die Datei ließ sich nicht drucken; das Büro bewahrt sie auf.",
        "over_budget": "nicht beigefügt (Unterlagen voll; auf Anfrage erhältlich)",
    },
    "fr": {
        "title": "Dossier de demande", "applicant": "Demandeur", "case": "Référence du bureau", "pathway": "Demande de",
        "legal_basis": "Base juridique", "destination": "À l'attention de", "prepared": "Établi le", "by": "par", "contents": "Sommaire",
        "letter": "Lettre d'accompagnement", "summary": "Résumé de la situation du demandeur", "statement": "Déclaration",
        "checklist": "Conditions et pièces justificatives", "requirement": "Condition", "evidence": "Pièces",
        "state": "État", "documented": "justifiée", "missing": "pièce manquante", "no_document": "aucun document requis",
        "still_needed": "encore nécessaire", "index": "Bordereau des pièces", "number": "N°", "kind": "Document", "description": "Description",
        "date": "Date", "pages": "Pages", "translation": "Traduction", "annex": "Pièce", "page": "page",
        "annexes": "Pièces jointes", "not_attached": "non jointe (type de fichier non imprimable ; disponible sur demande)",
        "missing_translations": "Traductions encore manquantes", "none_missing": "Aucune traduction ne manque.",
        "certified": "certifiée", "draft": "projet", "needed": "nécessaire", "no_translation": "aucune", "original_language": "langue d'origine",
        "translation_of": "Traduction certifiée de la pièce", "translator": "Traducteur", "hash_note": "SHA-256 du fichier tel que reçu ; le bureau peut produire le fichier pour comparaison.",
        "truncated": "Seules les {count} premières pages sont jointes.", "rasterised": "imprimée comme image",
        "file_metadata": "Métadonnées enregistrées dans le fichier", "unreadable": "Le fichier n'a pas pu être imprimé ; le bureau le conserve.",
        "over_budget": "non jointe (dossier complet ; disponible sur demande)",
    },
}  # fmt: skip

KIND_LABELS: dict[str, dict[str, str]] = {
    "summons": {"de": "Einberufungsbescheid", "fr": "Convocation militaire"},
    "criminal_case_notice": {"de": "Dokument über ein Strafverfahren", "fr": "Document de procédure pénale"},
    "wanted_list_entry": {"de": "Eintrag in einer Fahndungsliste", "fr": "Inscription sur une liste de recherche"},
    "military_id": {"de": "Wehrpass", "fr": "Livret militaire"},
    "service_documents": {"de": "Dienstunterlagen", "fr": "Documents de service"},
    "personal_statement": {"de": "Ausführliche persönliche Erklärung", "fr": "Déclaration personnelle détaillée"},
    "proof_antiwar_activity": {"de": "Nachweis der Antikriegstätigkeit", "fr": "Preuve d'activité contre la guerre"},
    "proof_of_threats": {"de": "Nachweis von Bedrohungen", "fr": "Preuve de menaces"},
    "proof_of_ties": {"de": "Nachweis von Bindungen an das Land", "fr": "Preuve de liens avec le pays"},
    "identity_document": {"de": "Ausweisdokument", "fr": "Pièce d'identité"},
    "residence_refusal": {"de": "Ablehnung eines Aufenthaltstitels", "fr": "Refus de titre de séjour"},
    "refugee_procedure_documents": {"de": "Unterlagen eines Asylverfahrens", "fr": "Documents de procédure d'asile"},
    "ancestry_documents": {"de": "Abstammungsurkunden", "fr": "Documents d'ascendance"},
}

COUNTRY_NAMES: dict[str, dict[str, str]] = {
    "AE": {"de": "Vereinigte Arabische Emirate", "fr": "Émirats arabes unis"}, "AM": {"de": "Armenien", "fr": "Arménie"},
    "AR": {"de": "Argentinien", "fr": "Argentine"}, "CH": {"de": "Schweiz", "fr": "Suisse"}, "DE": {"de": "Deutschland", "fr": "Allemagne"},
    "FR": {"de": "Frankreich", "fr": "France"}, "GE": {"de": "Georgien", "fr": "Géorgie"}, "IL": {"de": "Israel", "fr": "Israël"},
    "KG": {"de": "Kirgisistan", "fr": "Kirghizistan"}, "KZ": {"de": "Kasachstan", "fr": "Kazakhstan"}, "MN": {"de": "Mongolei", "fr": "Mongolie"},
    "RS": {"de": "Serbien", "fr": "Serbie"}, "RU": {"de": "Russland", "fr": "Russie"}, "TR": {"de": "Türkei", "fr": "Turquie"},
    "US": {"de": "Vereinigte Staaten", "fr": "États-Unis"}, "UA": {"de": "Ukraine", "fr": "Ukraine"}, "BY": {"de": "Belarus", "fr": "Biélorussie"},
}  # fmt: skip

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}

_MILITARY = {
    "deserter": {"en": "served in the Russian armed forces (mobilised or under contract) and left the unit",
                 "de": "hat in den russischen Streitkräften gedient (mobilisiert oder als Vertragssoldat) und die Einheit verlassen",
                 "fr": "a servi dans les forces armées russes (mobilisé ou sous contrat) et a quitté son unité"},
    "draft_evader": {"en": "was called up, or expects to be called up, and did not report",
                     "de": "wurde einberufen oder erwartet die Einberufung und hat sich nicht gemeldet",
                     "fr": "a été appelé, ou s'attend à l'être, et ne s'est pas présenté"},
    "reservist": {"en": "is a reservist of the Russian armed forces", "de": "ist Reservist der russischen Streitkräfte",
                  "fr": "est réserviste des forces armées russes"},
    "conscientious_objector": {"en": "refuses military service for reasons of conscience", "de": "verweigert den Kriegsdienst aus Gewissensgründen",
                               "fr": "refuse le service militaire pour des raisons de conscience"},
    "never_served": {"en": "has never served and is not liable for service", "de": "hat nie gedient und ist nicht wehrpflichtig",
                     "fr": "n'a jamais servi et n'est pas astreint au service"},
}  # fmt: skip

_SENTENCES = {
    "citizenship": {"en": "Citizenship: {value}.", "de": "Staatsangehörigkeit: {value}.", "fr": "Nationalité : {value}."},
    "current_country": {"en": "Currently in {value}.", "de": "Hält sich derzeit in {value} auf.", "fr": "Se trouve actuellement en/au {value}."},
    "arrived_on": {"en": "Entered that country on {value}.", "de": "Eingereist am {value}.", "fr": "Entré(e) dans ce pays le {value}."},
    "permitted_stay": {"en": "The permitted stay there ends on {value}.", "de": "Der erlaubte Aufenthalt endet am {value}.",
                       "fr": "Le séjour autorisé prend fin le {value}."},
    "military_status": {"en": "The applicant {value}.", "de": "Der Antragsteller {value}.", "fr": "Le demandeur {value}."},
    "summons_received": {"en": "The applicant has received a call-up summons.", "de": "Der Antragsteller hat einen Einberufungsbescheid erhalten.",
                         "fr": "Le demandeur a reçu une convocation militaire."},
    "criminal_case": {"en": "A criminal case has been opened against the applicant in Russia.",
                      "de": "In Russland ist gegen den Antragsteller ein Strafverfahren eröffnet worden.",
                      "fr": "Une procédure pénale a été ouverte contre le demandeur en Russie."},
    "prosecuted_for_antiwar": {"en": "The applicant is prosecuted for opposing the war.", "de": "Der Antragsteller wird wegen seiner Haltung gegen den Krieg verfolgt.",
                               "fr": "Le demandeur est poursuivi pour son opposition à la guerre."},
    "wanted_federal": {"en": "The applicant is on the Russian federal wanted list.", "de": "Der Antragsteller steht auf der russischen föderalen Fahndungsliste.",
                       "fr": "Le demandeur est inscrit sur la liste fédérale russe des personnes recherchées."},
    "wanted_interstate": {"en": "The applicant is on the interstate (CIS) wanted list, which exposes the applicant to arrest and extradition in the country of stay.",
                          "de": "Der Antragsteller steht auf der zwischenstaatlichen Fahndungsliste der GUS und ist damit im Aufenthaltsland von Festnahme und Auslieferung bedroht.",
                          "fr": "Le demandeur est inscrit sur la liste de recherche interétatique de la CEI, ce qui l'expose à l'arrestation et à l'extradition dans le pays où il se trouve."},
    "wanted_interpol": {"en": "Russia has sought an Interpol notice against the applicant.", "de": "Russland hat eine Interpol-Ausschreibung gegen den Antragsteller beantragt.",
                        "fr": "La Russie a demandé une notice Interpol contre le demandeur."},
    "public_antiwar_activity": {"en": "The applicant has publicly opposed the war.", "de": "Der Antragsteller hat sich öffentlich gegen den Krieg gestellt.",
                                "fr": "Le demandeur s'est publiquement opposé à la guerre."},
    "threatened_by_authorities": {"en": "The applicant has been threatened by Russian authorities.", "de": "Der Antragsteller wurde von russischen Behörden bedroht.",
                                  "fr": "Le demandeur a été menacé par les autorités russes."},
    "endangered_in_origin": {"en": "The applicant is in danger if returned to Russia.", "de": "Dem Antragsteller droht bei einer Rückkehr nach Russland Gefahr.",
                             "fr": "Le demandeur est en danger en cas de retour en Russie."},
    "ties_to": {"en": "Ties to: {value}.", "de": "Bindungen an: {value}.", "fr": "Liens avec : {value}."},
}  # fmt: skip


def default_language(country: str) -> str:
    """The dossier language for a destination country (German for DE, AT, CH; French for FR, BE, LU)."""
    return {"DE": "de", "AT": "de", "CH": "de", "LI": "de", "FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr"}.get(
        country, "en"
    )


def format_date(value: date, language: str) -> str:
    month = _MONTHS.get(language, _MONTHS["en"])[value.month - 1]
    if language == "en":
        return f"{value.day} {month} {value.year}"
    if language == "de":
        return f"{value.day}. {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def country_name(code: str, language: str, english: str) -> str:
    return COUNTRY_NAMES.get(code, {}).get(language, english) if language != "en" else english


def kind_label(kind: str, language: str, english: str) -> str:
    return KIND_LABELS.get(kind, {}).get(language, english) if language != "en" else english


def fact_sentences(
    facts: dict[str, Any], language: str, *, permitted_stay_ends: date | None, country_english: Any
) -> list[str]:
    """Short sentences about the person's situation from the facts the office has recorded.

    Args:
        facts: the case's facts (engine vocabulary).
        language: en, de or fr.
        permitted_stay_ends: from the knowledge base's stay rules, if known.
        country_english: a function giving a country's English name from its code.
    """
    lang = language if language in WORDS else "en"
    lines: list[str] = []

    def say(key: str, value: str = "") -> None:
        lines.append(_SENTENCES[key][lang].format(value=value))

    def country(code: str) -> str:
        return country_name(code, lang, country_english(code))

    if isinstance(facts.get("citizenship"), str):
        say("citizenship", country(facts["citizenship"]))
    if isinstance(facts.get("current_country"), str):
        say("current_country", country(facts["current_country"]))
    if isinstance(facts.get("arrived_on"), date):
        say("arrived_on", format_date(facts["arrived_on"], lang))
    if permitted_stay_ends is not None:
        say("permitted_stay", format_date(permitted_stay_ends, lang))
    status = facts.get("military_status")
    if isinstance(status, str) and status in _MILITARY:
        say("military_status", _MILITARY[status][lang])
    for key in ("summons_received", "criminal_case", "prosecuted_for_antiwar", "wanted_federal", "wanted_interstate",
                "wanted_interpol", "public_antiwar_activity", "threatened_by_authorities", "endangered_in_origin"):  # fmt: skip
        if facts.get(key) is True:
            say(key)
    ties = facts.get("ties_to")
    if ties:
        say("ties_to", ", ".join(country(code) for code in sorted(ties)))
    return lines
