"""The convenor's exports through the API: a round's results (or, where the collaborative
allows it, its anonymised respondent-level rows) as JSON, CSV or XLSX, streamed.

The shaping, the permission rule, the audit event and the writers are the export pages'
own (``surveys.exports.services``, ``maturity.exports.writers``): the API only chooses.
"""

from flask import Response, request
from flask_login import current_user

from maturity.api.errors import ApiError
from maturity.api.registry import QueryParam, api_route
from maturity.api.responses import bad_request
from maturity.api.scope import convened_collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.exports.writers import FORMATS, export_format, iter_export
from maturity.tenancy import get_or_404, stream_in_scope
from surveys.exports import services
from surveys.rounds.models import Round

DEFAULT_FORMAT = "json"
KINDS = ",".join(services.EXPORT_KINDS)
FORMAT_PARAM = QueryParam(
    "format",
    {"type": "string", "enum": list(FORMATS), "default": DEFAULT_FORMAT},
    "The file format",
)
FILES = {
    "application/json": {
        "schema": {
            "type": "object",
            "description": "The table's name mapped to its rows, each an object keyed by header",
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
        }
    },
    "text/csv": {"schema": {"type": "string"}},
    FORMATS["xlsx"].content_type: {"schema": {"type": "string", "format": "binary"}},
}


def _format() -> str:
    fmt = request.args.get("format", DEFAULT_FORMAT)
    if fmt not in FORMATS:
        raise bad_request(f"format must be one of: {', '.join(FORMATS)}")
    return fmt


@api_route(
    f"/collaboratives/<collab_slug>/rounds/<int:round_id>/exports/<any({KINDS}):what>",
    summary="Export a round's results or responses",
    tag="exports",
    response=None,
    query=(FORMAT_PARAM,),
    errors=(403,),
    files=FILES,
)
def round_export(collab_slug: str, round_id: int, what: str) -> Response:
    """A round's cross-member results (every member on every dimension: n, mean, 95% CI,
    level, rank, change; small groups suppressed), or its anonymised respondent-level rows
    where the collaborative allows them. Each export is recorded in the audit trail."""
    collaborative = convened_collaborative(collab_slug)
    round_ = get_or_404(Round, round_id, collaborative_id=collaborative.id)
    fmt = _format()
    try:
        sheets = services.start_export(round_, what, fmt, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        raise ApiError(403, "export_not_allowed", error.message) from None
    db.session.commit()
    filename = services.export_filename(round_, services.export_kind(what), fmt)
    return Response(
        stream_in_scope(iter_export(fmt, sheets)),
        mimetype=export_format(fmt).content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
