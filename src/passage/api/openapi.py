"""The OpenAPI 3.1 description of the API, served at ``/api/v1/schema``.

Written here as a Python dict, next to the views, with no extra dependency. It is also what the
API enforces: request bodies are checked against the request schemas below
(:mod:`passage.api.validate`), and the fact vocabulary and evidence kinds come from the knowledge
base, so the schema always names the facts the engine accepts. The plan response is the engine's
own contract, ``passage/routes/plan.schema.json``, included unchanged (its ``$defs`` become
components so that every OpenAPI tool can resolve them).
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import passage.routes
from passage.api.models import Scope
from passage.cases.models import CaseStatus, Channel, Direction, InstitutionKind, ReplyStatus, RouteStatus, TaskKind
from passage.routes import KnowledgeBase
from passage.routes.schema import FactDef

__all__ = ["PLAN_SCHEMA_PATH", "document", "request_schema"]

PLAN_SCHEMA_PATH = Path(passage.routes.__file__).resolve().parent / "plan.schema.json"
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # far beyond any office, well inside every database's integer range
DEFAULT_LIMIT = 100
# Years 1900–2099: every real date in a case, and far from the ends of Python's calendar.
DATE_PATTERN = r"^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
COUNTRY_ERROR = "must be a two-letter country code like KZ"
JSON = "application/json"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    return schema


def _date(*, request: bool = False) -> Schema:
    if request:
        return {
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "x-pattern-error": "must be a date between 1900-01-01 and 2099-12-31",
        }
    return {"type": "string", "format": "date"}


def _text(max_length: int, *, min_length: int = 0) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    return schema


def _choices(choices: Any, *, exclude: tuple[str, ...] = ()) -> Schema:
    return {"type": "string", "enum": [value for value in choices.values if value not in exclude]}


def _object(properties: Schema, required: list[str] | None = None, *, description: str = "") -> Schema:
    schema: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    if description:
        schema["description"] = description
    return schema


# -- facts from the knowledge base ---------------------------------------------------------------


def _fact_schema(fact: FactDef, *, request: bool) -> Schema:
    kind = fact.type
    schema: Schema
    if kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "int":
        schema = {"type": "integer"}
    elif kind == "enum":
        schema = {"enum": [value.id for value in fact.values or ()]}
    elif kind == "date":
        schema = _date(request=request)
    elif kind == "country":
        schema = {"type": "string", "pattern": COUNTRY_PATTERN, "x-pattern-error": COUNTRY_ERROR}
    else:  # countries
        country = {"type": "string", "pattern": COUNTRY_PATTERN, "x-pattern-error": COUNTRY_ERROR}
        schema = {"type": "array", "items": country, "uniqueItems": True, "maxItems": 60}
    if request:
        schema = _nullable(schema)
    schema["description"] = fact.description.en + (" null: unknown." if request else "")
    return schema


def _facts_schemas(knowledge: KnowledgeBase) -> dict[str, Schema]:
    facts = sorted(knowledge.facts.values(), key=lambda fact: fact.id)
    evidence = sorted(knowledge.evidence)
    return {
        "Facts": {
            "type": "object",
            "additionalProperties": False,
            "description": "Facts in the knowledge base's vocabulary; a fact left out (or null) is unknown.",
            "properties": {fact.id: _fact_schema(fact, request=True) for fact in facts},
        },
        "StoredFacts": {
            "type": "object",
            "description": "The facts on record (a fact not listed is unknown).",
            "properties": {fact.id: _fact_schema(fact, request=False) for fact in facts},
        },
        "EvidenceKind": {"type": "string", "enum": evidence},
        "Evidence": {"type": "array", "items": _ref("EvidenceKind"), "uniqueItems": True, "maxItems": len(evidence)},
    }


# -- the engine's plan contract ------------------------------------------------------------------


def _plan_schemas() -> dict[str, Schema]:
    """The contract schema with its ``$defs`` hoisted into components (``Plan_<name>``)."""
    contract = json.loads(PLAN_SCHEMA_PATH.read_text(encoding="utf-8"))
    definitions = contract.pop("$defs", {})
    contract.pop("$schema", None)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    f"#/components/schemas/Plan_{value[len('#/$defs/') :]}"
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                    else rewrite(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    schemas = {"Plan": rewrite(contract)}
    for name, definition in definitions.items():
        schemas[f"Plan_{name}"] = rewrite(definition)
    return schemas


# -- resources -----------------------------------------------------------------------------------


def _resource_schemas() -> dict[str, Schema]:
    uuid_schema: Schema = {"type": "string", "format": "uuid"}
    timestamp: Schema = {"type": "string", "format": "date-time"}
    summary = {
        "id": uuid_schema,
        "code": {"type": "string", "description": "the pseudonym code shown everywhere instead of a name"},
        "status": _choices(CaseStatus, exclude=(CaseStatus.SHREDDED,)),
        "current_country": _nullable({"type": "string", "pattern": COUNTRY_PATTERN}),
        "arrived_on": _nullable(_date()),
        "permitted_stay_ends": _nullable(_date()),
        "wanted": _object(
            {name: {"type": ["boolean", "null"]} for name in ("federal", "interstate", "interpol")},
            ["federal", "interstate", "interpol"],
            description="wanted-list flags (null: unknown)",
        ),
        "best_route": _nullable(_object(
            {
                "goal": {"type": "string", "description": "pathway id"},
                "status": _nullable(_choices(RouteStatus, exclude=("",))),
                "risk": {"type": ["string", "null"], "enum": ["low", "medium", "high", "severe", None]},
            },
            ["goal", "status", "risk"],
        )),
        "next_deadline": _nullable(_date()),
        "last_contact": _nullable(_date()),
        "updated_at": timestamp,
    }  # fmt: skip
    client = {
        **summary,
        "created_at": timestamp,
        "aliases": {"type": "array", "items": {"type": "string"}},
        "contacts": {"type": "string"},
        "narrative": {"type": "string"},
        "facts": _ref("StoredFacts"),
        "evidence": {"type": "array", "items": {"type": "string"}},
    }
    institution = {
        "id": uuid_schema,
        "kb_id": {"type": ["string", "null"]},
        "name": {"type": "string"},
        "name_ru": {"type": "string"},
        "kind": _choices(InstitutionKind),
        "country": {"type": "string", "description": "the country it represents ('' for none)"},
        "located_in": {"type": "string"},
    }
    letter = {
        "id": uuid_schema,
        "client": uuid_schema,
        "client_code": {"type": "string"},
        "institution": _ref("Institution"),
        "direction": _choices(Direction),
        "channel": _choices(Channel),
        "date": _date(),
        "reply_status": _choices(ReplyStatus),
        "answered_on": _nullable(_date()),
        "followup_due": _nullable(_date()),
        "created_at": timestamp,
        "subject": {
            "type": "string",
            "description": "decrypted; in lists and single letters, never in write responses",
        },
        "body": {"type": "string", "description": "decrypted; only in a single letter"},
    }
    task = {
        "id": uuid_schema,
        "client": uuid_schema,
        "client_code": {"type": "string"},
        "kind": _choices(TaskKind),
        "due_on": _date(),
        "done": {"type": "boolean"},
        "assigned_to": {"type": ["string", "null"], "description": "user name"},
        "created_at": timestamp,
        "title": {"type": "string", "description": "decrypted; not in write responses"},
    }

    def listing(item: str, *, paged: bool = False) -> Schema:
        properties: Schema = {
            "count": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": _ref(item)},
        }
        if paged:
            properties["limit"] = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
            properties["offset"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}
        return _object(properties, list(properties))

    plain = [name for name in letter if name not in ("subject", "body")]
    return {
        "Error": _object(
            {
                "error": {"type": "string", "minLength": 1, "description": "one sentence saying what is wrong"},
                "field": {"type": "string", "description": "the request field at fault, e.g. facts.arrived_on"},
                "scope": {"type": "string", "description": "the scope the token lacks"},
                "detail": {"type": "string"},
            },
            ["error"],
        ),
        "ClientSummary": _object(summary, list(summary), description="A client's plain summary: no sensitive text."),
        "Client": _object(
            client, list(client), description="A client with decrypted text (the read is audited); never the true name."
        ),
        "ClientList": listing("ClientSummary", paged=True),
        "Institution": _object(institution, list(institution)),
        "InstitutionList": listing("Institution"),
        "Letter": _object(letter, plain),
        "LetterList": listing("Letter"),
        "Task": _object(task, [name for name in task if name != "title"]),
        "TaskList": listing("Task"),
        # Request bodies: enforced by passage.api.validate.
        "ClientCreate": _object(
            {
                "true_name": {**_text(300), "description": "only lawyers and admins may record it; never returned"},
                "aliases": {"type": "array", "items": _text(200, min_length=1), "maxItems": 20},
                "contacts": _text(5000),
                "narrative": _text(50_000),
                "facts": _ref("Facts"),
                "evidence": _ref("Evidence"),
            }
        ),
        "FactsReplace": _object(
            {"facts": _ref("Facts"), "evidence": _ref("Evidence")},
            ["facts"],
            description="Replace every fact (and the evidence, if given).",
        ),
        "FactsPatch": _object(
            {"facts": _ref("Facts"), "evidence": _ref("Evidence")},
            description="Change the facts given (null makes a fact unknown); evidence, if given, replaces the list.",
        ),
        "LetterCreate": _object(
            {
                "institution": {**uuid_schema, "description": "an id from GET /institutions"},
                "direction": _choices(Direction),
                "channel": _choices(Channel),
                "date": _date(request=True),
                "subject": _text(300),
                "body": _text(100_000),
                "reply_status": _choices(ReplyStatus),
                "answered_on": _nullable(_date(request=True)),
            },
            ["institution", "date", "subject"],
        ),
        "LetterUpdate": _object(
            {"reply_status": _choices(ReplyStatus), "answered_on": _nullable(_date(request=True))}, ["reply_status"]
        ),
        "TaskCreate": _object(
            {"title": _text(300, min_length=1), "due_on": _date(request=True), "kind": _choices(TaskKind)},
            ["title", "due_on"],
        ),
        "TaskUpdate": _object({"done": {"type": "boolean"}}, ["done"]),
    }


# -- operations ----------------------------------------------------------------------------------


def _param(name: str, where: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


def _id_param(name: str, what: str) -> Schema:
    return _param(name, "path", {"type": "string", "format": "uuid"}, f"the {what}'s id")


def _json(schema: Schema) -> Schema:
    return {JSON: {"schema": schema}}


def _error(description: str) -> Schema:
    return {"description": description, "content": _json(_ref("Error"))}


def _operation(
    operation_id: str,
    summary: str,
    scope: str,
    ok: tuple[int, str, Schema],
    *,
    params: list[Schema] | None = None,
    body: str | None = None,
    audited: str = "",
    conflict: bool = False,
) -> Schema:
    status, ok_description, ok_schema = ok
    responses: Schema = {str(status): {"description": ok_description, "content": _json(ok_schema)}}
    if body is not None or any(p["in"] == "query" for p in params or ()):
        responses["400"] = _error("bad JSON, a wrong type, an unknown field or an impossible value; `field` names it")
    responses["401"] = {
        **_error("no token, or an unknown, expired or revoked one"),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer challenge"}},
    }
    responses["403"] = _error("the token lacks the scope, or the user's role may not do this")
    if any(p["in"] == "path" for p in params or ()):
        responses["404"] = _error("no such object, or one this user may not see (the same answer)")
    if conflict:
        responses["409"] = _error("the facts on record no longer fit the knowledge base (after a vocabulary change)")
    if body is not None:
        responses["413"] = _error("the request body is too large")
        responses["415"] = _error("the request body is not sent as application/json")
    responses["503"] = _error("the office vault is sealed")
    description = summary + (f" Audited: {audited}." if audited else "")
    operation: Schema = {
        "operationId": operation_id,
        "summary": summary,
        "description": description + f" Needs the scope `{scope}`.",
        "security": [{"bearer": [scope]}],
        "responses": responses,
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(_ref(body))}
    return operation


def _paths() -> dict[str, Schema]:
    client = _id_param("client_id", "client")
    paging = [
        _param(
            "limit",
            "query",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "page size",
        ),
        _param(
            "offset",
            "query",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            "how many to skip",
        ),
    ]
    lang = _param(
        "lang", "query", {"type": "string", "enum": ["en", "ru"], "default": "en"}, "language of labels and warnings"
    )
    return {
        "/schema": {
            "get": {
                "operationId": "getSchema",
                "summary": "This OpenAPI document (no token needed).",
                "security": [],
                "responses": {
                    "200": {"description": "the OpenAPI 3.1 document", "content": _json({"type": "object"})},
                    "503": _error("the office vault is sealed"),
                },
            }
        },
        "/clients": {
            "get": _operation(
                "listClients", "Clients one may see, with their plain summary (no sensitive text).", Scope.CASES_READ,
                (200, "a page of clients", _ref("ClientList")), params=paging, audited="as a listing",
            ),
            "post": _operation(
                "createClient", "Open a case under a new pseudonym code; text is encrypted before it is stored.",
                Scope.CASES_WRITE, (201, "the new client's summary", _ref("ClientSummary")), body="ClientCreate",
                audited="as a creation",
            ),
        },
        "/clients/{client_id}": {
            "get": _operation(
                "getClient", "One client with decrypted aliases, contacts, narrative, facts and evidence (never the true name).",
                Scope.CASES_READ, (200, "the client", _ref("Client")), params=[client],
                audited="as a read of aliases, contacts, narrative, facts",
            ),
        },
        "/clients/{client_id}/facts": {
            "put": _operation(
                "replaceFacts", "Replace the client's facts; they are checked against the vocabulary and the case is re-planned.",
                Scope.CASES_WRITE, (200, "the client's new summary", _ref("ClientSummary")), params=[client],
                body="FactsReplace", audited="as an update of facts", conflict=True,
            ),
            "patch": _operation(
                "updateFacts", "Change some of the client's facts (null makes a fact unknown); the case is re-planned.",
                Scope.CASES_WRITE, (200, "the client's new summary", _ref("ClientSummary")), params=[client],
                body="FactsPatch", audited="as an update of facts", conflict=True,
            ),
        },
        "/clients/{client_id}/plan": {
            "get": _operation(
                "getPlan", "The engine's route plan for the client: exactly the `passage plan --json` contract.",
                Scope.PLAN_READ, (200, "the plan", _ref("Plan")), params=[client, lang], audited="as a read of facts", conflict=True,
            ),
        },
        "/clients/{client_id}/letters": {
            "get": _operation(
                "listLetters", "The client's letters, with decrypted subjects.", Scope.LETTERS_READ,
                (200, "the letters", _ref("LetterList")), params=[client], audited="as a read of subjects",
            ),
            "post": _operation(
                "createLetter", "Record a letter to or from an institution; outgoing letters get a follow-up date.",
                Scope.LETTERS_WRITE, (201, "the letter (without its text)", _ref("Letter")), params=[client],
                body="LetterCreate", audited="as a creation",
            ),
        },
        "/letters/{letter_id}": {
            "get": _operation(
                "getLetter", "One letter with its decrypted subject and body.", Scope.LETTERS_READ,
                (200, "the letter", _ref("Letter")), params=[_id_param("letter_id", "letter")],
                audited="as a read of subject and body",
            ),
            "patch": _operation(
                "updateLetter", "Record the institution's answer (or its silence).", Scope.LETTERS_WRITE,
                (200, "the letter (without its text)", _ref("Letter")), params=[_id_param("letter_id", "letter")],
                body="LetterUpdate", audited="as an update",
            ),
        },
        "/clients/{client_id}/tasks": {
            "get": _operation(
                "listTasks", "The client's tasks and deadlines, with decrypted titles.", Scope.TASKS_READ,
                (200, "the tasks", _ref("TaskList")), params=[client], audited="as a read of titles",
            ),
            "post": _operation(
                "createTask", "Add a task or deadline to the client's case.", Scope.TASKS_WRITE,
                (201, "the task (without its title)", _ref("Task")), params=[client], body="TaskCreate",
                audited="as a creation",
            ),
        },
        "/tasks/{task_id}": {
            "patch": _operation(
                "updateTask", "Mark a task done or open again.", Scope.TASKS_WRITE,
                (200, "the task (without its title)", _ref("Task")), params=[_id_param("task_id", "task")],
                body="TaskUpdate", audited="as an update",
            ),
        },
        "/institutions": {
            "get": _operation(
                "listInstitutions", "The institutions directory (embassies, NGOs, UNHCR): ids for recording letters.",
                Scope.LETTERS_READ, (200, "every institution", _ref("InstitutionList")),
            ),
        },
    }  # fmt: skip


@lru_cache(maxsize=1)
def _document() -> Schema:
    from passage.cases.actions import knowledge

    scopes = "\n".join(f"- `{scope.value}`: {scope.label}" for scope in Scope)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Passage API",
            "version": "1.0.0",
            "description": (
                "The JSON API of a Passage office, for staff tools. Authenticate with a personal token "
                "(`passage token create USER --scopes ... --name ...`) sent as `Authorization: Bearer <token>`; "
                "session cookies are not accepted. The user's role and case access apply exactly as in the web "
                "app: a client one may not see answers 404, like one that does not exist. Every read of "
                "sensitive text and every change is written to the audit log. While the vault is sealed every "
                "endpoint answers 503.\n\nScopes:\n" + scopes
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "psg_<key id>_<secret>",
                    "description": "A personal token; each operation names the scope it needs.",
                }
            },
            "schemas": {**_resource_schemas(), **_facts_schemas(knowledge()), **_plan_schemas()},
        },
    }


def document() -> Schema:
    """The OpenAPI document (a fresh copy: callers may change it)."""
    return copy.deepcopy(_document())


def request_schema(name: str) -> tuple[Schema, Schema]:
    """A request body schema by component name, and the components to resolve its references."""
    schemas = _document()["components"]["schemas"]
    return schemas[name], schemas
