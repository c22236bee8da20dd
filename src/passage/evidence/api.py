"""The evidence part of the JSON API (mounted under ``/api/v1/``), with its OpenAPI fragment.

Token auth and scopes come from :mod:`passage.api.auth`; objects from the access helpers;
everything else from the same domain actions as the web pages. Uploads are ``multipart/form-data``
streamed through the same encrypting handler as the staff form (the token is checked before the
body is read). Scopes: reading uses ``cases:read``, uploading ``cases:write`` (the API app may
add ``evidence:*`` scopes later; then only the two constants below change).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import path

from passage.accounts.access import CASE_WORKERS, LAWYERS, can_download_evidence
from passage.api.auth import ApiError, api_endpoint, ok, route
from passage.api.models import Scope
from passage.cases.access import get_case_for_user
from passage.evidence import actions, locker
from passage.evidence.access import get_item_for_user
from passage.evidence.forms import UploadForm
from passage.evidence.intake import IntakeRefusedError
from passage.evidence.models import EvidenceItem
from passage.evidence.upload import EncryptingUploadHandler, body_too_large

READ_SCOPE = Scope.CASES_READ
WRITE_SCOPE = Scope.CASES_WRITE
_REFUSAL_STATUS = {"too_large": 413, "executable": 415, "archive": 415, "legacy_office": 415, "unknown": 415}
FIELD_NAMES = ("kind", "title", "document_date", "language", "provenance", "provenance_note", "strip_metadata")


def _summary(item: EvidenceItem, title: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(item.id),
        "client_id": str(item.case_id),
        "number": item.number,
        "label": item.label,
        "kind": item.kind,
        "document_date": item.document_date.isoformat() if item.document_date else None,
        "language": item.language,
        "provenance": item.provenance,
        "media_type": item.media_type,
        "size": item.size,
        "pages": item.page_count,
        "status": item.status,
        "ocr_status": item.ocr_status,
        "metadata_flags": item.metadata_flags.split(),
        "translations": [
            {"language": t.language, "status": t.status, "has_file": t.has_file} for t in item.translations.all()
        ],
        "added_at": item.added_at.isoformat(),
    }
    if title is not None:
        data["title"] = title
    return data


def _refused(code: str) -> ApiError:
    return ApiError(
        _REFUSAL_STATUS.get(code, 400), IntakeRefusedError(code).message(locker.max_upload_bytes() >> 20), field="file"
    )


@api_endpoint(*CASE_WORKERS, scope=READ_SCOPE)
def list_evidence(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    items = list(actions.items_of_case(case))
    titles = actions.item_titles(user, case, items)
    return ok({"count": len(items), "results": [_summary(item, titles.get(item.id, "")) for item in items]})


@api_endpoint(*CASE_WORKERS, scope=WRITE_SCOPE)
def upload_evidence(request: HttpRequest, user: Any, client_id: str) -> HttpResponse:
    case = get_case_for_user(user, client_id)
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, "send the file as multipart/form-data with the field 'file'")
    if body_too_large(request, locker.max_upload_bytes()):
        raise _refused("too_large")
    locker.sweep(full=False)
    handler = EncryptingUploadHandler(request, lambda: locker.open_ingest(case.id))
    request.upload_handlers = [handler]
    try:
        try:
            form = UploadForm(request.POST, request.FILES)
        except (UnreadablePostError, MultiPartParserError, OSError):
            raise _refused("interrupted") from None
        if handler.refusal:
            raise _refused(handler.refusal)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ApiError(400, f"{field}: {errors[0]}", field=field)
        upload = form.cleaned_data["file"]
        try:
            item = actions.add_item(
                user, case, upload.ingest, filename=upload.name, **{n: form.cleaned_data[n] for n in FIELD_NAMES}
            )
        except IntakeRefusedError as refusal:
            raise _refused(refusal.code) from None
    finally:
        handler.discard()
    return ok(_summary(item, form.cleaned_data["title"]), 201, location=f"/api/v1/evidence/{item.id}")


@api_endpoint(*CASE_WORKERS, scope=READ_SCOPE)
def get_evidence(request: HttpRequest, user: Any, evidence_id: str) -> HttpResponse:
    item = get_item_for_user(user, evidence_id)
    text = actions.item_text(user, item)
    data = _summary(item, text.title)
    if can_download_evidence(user) and item.is_active:
        data.update(sha256=text.sha256, filename=text.filename, provenance_note=text.provenance_note,
                    text=text.ocr_text, metadata=[{"name": k, "value": v} for k, v in text.metadata])  # fmt: skip
    return ok(data)


@api_endpoint(*LAWYERS, scope=READ_SCOPE)
def get_evidence_content(request: HttpRequest, user: Any, evidence_id: str) -> HttpResponse:
    item = get_item_for_user(user, evidence_id)
    try:
        found = actions.download(user, item)
    except actions.TamperedError:
        raise ApiError(
            409, "integrity check failed: the stored file does not match its record (recorded in the chain of custody)"
        ) from None
    except actions.EvidenceGoneError:
        raise ApiError(410, "this item was deleted; its file no longer exists") from None
    response = StreamingHttpResponse(found.chunks, content_type=found.media_type)
    response["Content-Length"] = str(found.size)
    response["Content-Disposition"] = f'attachment; filename="{item.label}"'
    return response


app_name = "evidence_api"
urlpatterns = [
    path("clients/<str:client_id>/evidence", route(GET=list_evidence, POST=upload_evidence), name="list"),
    path("evidence/<str:evidence_id>", route(GET=get_evidence), name="item"),
    path("evidence/<str:evidence_id>/content", route(GET=get_evidence_content), name="content"),
]


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_CLIENT = {
    "name": "client_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
    "description": "the client's id",
}
_ITEM = {
    "name": "evidence_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
    "description": "the item's id",
}
_COMMON = {
    "401": _error("no token, or an unknown, expired or revoked one"),
    "403": _error("the token lacks the scope, or the user's role may not do this"),
    "404": _error("no such object, or one this user may not see (the same answer)"),
    "503": _error("the office vault is sealed"),
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "EvidenceItem": {
        "type": "object",
        "required": [
            "id",
            "client_id",
            "number",
            "label",
            "kind",
            "media_type",
            "size",
            "status",
            "ocr_status",
            "translations",
            "added_at",
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "client_id": {"type": "string", "format": "uuid"},
            "number": {"type": "integer", "minimum": 1},
            "label": {"type": "string", "examples": ["E3"]},
            "kind": {"type": "string", "description": "an evidence kind of the knowledge base"},
            "title": {"type": "string"},
            "document_date": {"type": ["string", "null"], "format": "date"},
            "language": {"type": "string"},
            "provenance": {
                "type": "string",
                "enum": ["client", "messenger", "intake", "official", "public", "third_party", "office", "other"],
            },
            "media_type": {"type": "string", "description": "detected from the content, not the name"},
            "size": {"type": "integer", "minimum": 1},
            "pages": {"type": ["integer", "null"]},
            "status": {"type": "string", "enum": ["active", "deleted"]},
            "ocr_status": {"type": "string", "enum": ["none", "pending", "running", "done", "failed"]},
            "metadata_flags": {"type": "array", "items": {"type": "string"}},
            "translations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "language": {"type": "string"},
                        "status": {"type": "string", "enum": ["needed", "draft", "certified"]},
                        "has_file": {"type": "boolean"},
                    },
                },
            },
            "added_at": {"type": "string", "format": "date-time"},
            "sha256": {"type": "string", "description": "lawyers and admins only"},
            "filename": {"type": "string", "description": "lawyers and admins only"},
            "provenance_note": {"type": "string", "description": "lawyers and admins only"},
            "text": {
                "type": "string",
                "description": "the text read from the file (OCR or text layer); lawyers and admins only",
            },
            "metadata": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"}}},
            },
        },
    },
    "EvidenceList": {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/EvidenceItem"}},
        },
    },
    "EvidenceUpload": {
        "type": "object",
        "required": ["file", "kind", "provenance", "language"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "kind": {"type": "string"},
            "title": {"type": "string", "maxLength": 300},
            "document_date": {"type": "string", "format": "date"},
            "language": {"type": "string"},
            "provenance": {"type": "string"},
            "provenance_note": {"type": "string", "maxLength": 2000},
            "strip_metadata": {
                "type": "string",
                "enum": ["on", "true", ""],
                "description": "strip metadata from dossier copies",
            },
        },
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/clients/{client_id}/evidence": {
        "get": {
            "operationId": "listEvidence",
            "summary": "The client's evidence items (descriptions decrypted; no file content). Audited as a listing. Needs `cases:read`.",
            "security": [{"bearer": [str(READ_SCOPE)]}],
            "parameters": [_CLIENT],
            "responses": {
                "200": {
                    "description": "the items",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EvidenceList"}}},
                },
                **_COMMON,
            },
        },
        "post": {
            "operationId": "uploadEvidence",
            "summary": "Add a file: streamed, encrypted as it arrives, type detected from content; programs, archives, corrupt files and bombs are refused. Audited. Needs `cases:write`.",
            "security": [{"bearer": [str(WRITE_SCOPE)]}],
            "parameters": [_CLIENT],
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/EvidenceUpload"}}},
            },
            "responses": {
                "201": {
                    "description": "the new item",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EvidenceItem"}}},
                },
                "400": _error("a missing or invalid field, an empty, corrupt or password-protected file, or a bomb"),
                "413": _error("the file is over the size limit"),
                "415": _error(
                    "not multipart/form-data, or a refused file type (program, archive, legacy Office, unknown)"
                ),
                **_COMMON,
            },
        },
    },
    "/evidence/{evidence_id}": {
        "get": {
            "operationId": "getEvidence",
            "summary": "One item; lawyers and admins also get its SHA-256, file name, read text and metadata. Audited as a view. Needs `cases:read`.",
            "security": [{"bearer": [str(READ_SCOPE)]}],
            "parameters": [_ITEM],
            "responses": {
                "200": {
                    "description": "the item",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EvidenceItem"}}},
                },
                **_COMMON,
            },
        },
    },
    "/evidence/{evidence_id}/content": {
        "get": {
            "operationId": "getEvidenceContent",
            "summary": "The decrypted file (lawyers and admins), verified against its SHA-256 first. Audited as a download. Needs `cases:read`.",
            "security": [{"bearer": [str(READ_SCOPE)]}],
            "parameters": [_ITEM],
            "responses": {
                "200": {
                    "description": "the file",
                    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                },
                "409": _error("integrity check failed (tampering; recorded in the chain of custody)"),
                "410": _error("the item was deleted"),
                **_COMMON,
            },
        },
    },
}
