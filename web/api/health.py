"""Liveness for load balancers and monitoring: is content loaded, how old is the index."""

from flask import Blueprint, jsonify

from web.core.knowledge import knowledge_base

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    library = knowledge_base()
    try:
        library.engine()
    except Exception:
        return jsonify(status="error", message="索引を開けません"), 503
    status = library.status()
    return jsonify(status="ok", **status)
