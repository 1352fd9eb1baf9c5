"""The one JSON encoding of the project: results, exports, CLI output and cache keys.

Every typed result (a dataclass) and every figure that leaves the core goes through
:func:`plain`, which turns it into values the standard :mod:`json` module writes, with one set
of rules:

* dataclasses → their fields (or their own ``to_dict()`` when they define one);
* NumPy scalars and arrays → Python numbers and lists; ``NaN`` and infinities → ``null``
  (JSON has no NaN; RFC 8259 §6);
* dates → ISO 8601 text; paths → text; sets → sorted lists; anything else → ``str(obj)``.

Examples
--------
>>> import numpy as np
>>> from dataclasses import dataclass
>>> @dataclass
... class Leg:
...     km: float
...     depths_m: list
>>> plain(Leg(np.float64(1.5), np.array([-30.0, np.nan])))
{'km': 1.5, 'depths_m': [-30.0, None]}
>>> dumps({"b": 1, "a": (2, 3)})
'{"a": [2, 3], "b": 1}'
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
from collections.abc import Mapping
from pathlib import PurePath

import numpy as np

__all__ = ["dumps", "plain"]


def plain(obj):
    """``obj`` as plain JSON values (dict, list, str, int, float, bool, None), recursively."""
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return [plain(v) for v in sorted(obj, key=str)]
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return plain(to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    return str(obj)


def dumps(obj, *, indent: int | None = None, sort_keys: bool = True) -> str:
    """``obj`` as JSON text (UTF-8 characters kept, keys sorted unless told otherwise)."""
    return json.dumps(plain(obj), indent=indent, sort_keys=sort_keys, ensure_ascii=False,
                      allow_nan=False)
