"""Quick lookup for agents on the phone: type, Enter, read the one-line answer, copy it.

Works without JavaScript (a GET form, the answers as text). static/js/console.js adds
results while typing, Enter to open the first result and the "copy answer" buttons.
"""

from __future__ import annotations

from flask import render_template, request

from kb.categories import category_label
from kb.freshness import as_of_sentence
from web.accounts.auth import roles_required
from web.console import bp
from web.core import clock
from web.core.knowledge import search_engine
from web.core.text_input import one_line

LIMIT = 8


@bp.get("/lookup")
@roles_required()
def lookup():
    query = one_line(request.args.get("q", ""))[:200]
    response = search_engine().search(query, limit=LIMIT, highlight=False) if query else None
    base = request.host_url.rstrip("/")
    today = clock.today()
    results = [
        {
            "id": hit.id,
            "title": hit.title,
            "category": category_label(hit.category),
            "answer": hit.answer,
            "as_of": as_of_sentence(hit.as_of),
            "stale": hit.stale(today),
            "url": base + hit.url,
        }
        for hit in (response.hits if response else [])
    ]
    template = (
        "console/_lookup_results.html" if request.args.get("fragment") else "console/lookup.html"
    )
    return render_template(template, query=query, response=response, results=results)
