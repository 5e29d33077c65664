"""JSON responses through orjson: the API's answers serialized in C, not in Python.

A search answer is about 5 KB of Japanese text in ten hits; Python's `json` (sorting its keys,
as Flask's default provider does) took 26 µs of each uncached `/api/search`, orjson 2 µs
(scripts/loadtest). What Flask's default provider does beyond plain JSON is kept: dates and
datetimes as HTTP dates, dataclasses, UUIDs, Decimals and `__html__` objects through its
`default`, pretty printing in debug mode. Keys keep the order they were built in.

Reading JSON (request.get_json) stays Flask's: request bodies are small, and its error
handling is the one web/core/errors.py expects.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

# Dates and dataclasses go to Flask's `default` (HTTP dates, as before); dict keys that are
# not strings become strings, as the standard library does.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_OPTIONS |= orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # an option only the standard library knows (cls, separators, …)
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        option = _OPTIONS | orjson.OPT_APPEND_NEWLINE
        if self.compact is False or (self.compact is None and self._app.debug):
            option |= orjson.OPT_INDENT_2
        body = orjson.dumps(obj, default=self.default, option=option)
        return self._app.response_class(body, mimetype=self.mimetype)
