"""Least-cost paths on a :class:`~mapapp.link.surface.Surface` under a ruling grade.

The cost surface (dimensionless; the unit is one metre of railway on level ground, so a
path's cost reads as *equivalent metres*)
---------------------------------------------------------------------------------------
A path moves between the centres of 8-connected allowed cells. A move of length ``L``
(one cell side, or √2 of it diagonally; metres) between cells whose elevations differ by
``Δz`` (m) has the grade ``g = |Δz| / L`` and costs

    ``L × (1 + grade_weight × g / ruling_grade)``  if ``g ≤ ruling_grade``,
    never taken                                     if ``g > ruling_grade``,

plus ``river_crossing_m / 2`` when exactly one of the two cells is on a major river (so
entering and leaving a river, one crossing, costs ``river_crossing_m``; running along a
river valley costs nothing extra). Sea, lakes and no-go cells are not allowed at all.
``grade_weight`` and ``river_crossing_m`` are stated assumptions (:class:`LinkWeights`).

Why not the strait optimiser's solver
-------------------------------------
``mapapp.engineering.optimise`` uses ``skimage.graph.MCP_Geometric``, whose cost belongs to a
*cell* (a move costs the mean of its two cells). A ruling grade belongs to a *move*: the same
cell may be reached gently along a valley and too steeply across it. MCP can express that
only through a Python callback per move (``MCP_Flexible.travel_cost``, several seconds per
solve here), so the moves are written out as a sparse graph and solved with
``scipy.sparse.csgraph.dijkstra``, the same algorithm as MCP (Dijkstra on the 8-connected
grid). Via points are solved leg by leg, in order, as in the optimiser.

Examples
--------
>>> from mapapp.link.surface import Surface
>>> s = Surface.synthetic([[0, 0, 0], [0, 500, 0], [0, 5, 0]], cell_m=1000.0)
>>> p = least_cost_path(s, [(1, 0), (1, 2)], LinkWeights(ruling_grade=0.0125))
>>> [tuple(map(int, rc)) for rc in p.cells]   # around the 500 m hill, never over it
[(1, 0), (0, 1), (1, 2)]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from mapapp.core.errors import InputError

__all__ = ["CellPath", "LinkWeights", "NoPathError", "grades_along", "least_cost_path"]

#: (drow, dcol) of the four undirected move directions of the 8-connected grid.
_OFFSETS = ((0, 1), (1, 0), (1, 1), (1, -1))


class NoPathError(InputError):
    """No path joins two points under the ruling grade and the zones."""


@dataclass(frozen=True)
class LinkWeights:
    """Parameters of the cost surface.

    Attributes
    ----------
    ruling_grade : float
        Steepest grade allowed between two cells, as a fraction (default 0.0125 = 12.5 ‰,
        the project's mainline-rail limit, ``GRADE_LIMITS["rail_mainline"]``). Between cells
        several km apart on 5′ relief this is a grade *averaged over a cell*: local grades
        may be steeper, and a line built to it needs cuttings, bridges and curves.
    grade_weight : float
        Extra cost per metre at the ruling grade (default 1: a metre at the ruling grade
        costs two on the level); linear in between. An assumption.
    river_crossing_m : float
        Cost of one major-river crossing in equivalent metres of level line (default 20,000:
        a long bridge is priced like 20 km of line). An assumption.
    """

    ruling_grade: float = 0.0125
    grade_weight: float = 1.0
    river_crossing_m: float = 20_000.0

    def __post_init__(self):
        for name, lo, hi in (("ruling_grade", 1e-4, 0.2), ("grade_weight", 0.0, 1e3),
                             ("river_crossing_m", 0.0, 1e7)):
            raw = getattr(self, name)
            try:
                v = float(raw)
            except (TypeError, ValueError):
                raise InputError(f"{name} must be a number, got {raw!r}") from None
            if not (math.isfinite(v) and lo <= v <= hi):
                if name == "ruling_grade":
                    raise InputError(f"the ruling grade must be between {lo * 1000:g} ‰ and "
                                     f"{hi * 1000:g} ‰, got {v * 1000:g} ‰")
                raise InputError(f"{name} must be between {lo:g} and {hi:g}, got {raw!r}")
            object.__setattr__(self, name, v)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CellPath:
    """A solved path.

    Attributes
    ----------
    cells : numpy.ndarray
        (n, 2) int array of (row, col), from the first required cell to the last, through
        every via cell in order.
    cost : float
        Total cost, equivalent metres.
    leg_ends : list of int
        Index in ``cells`` of each required cell (first = 0, last = n - 1).
    """

    cells: np.ndarray
    cost: float
    leg_ends: list


def _graph(surface, weights: LinkWeights):
    """Sparse symmetric matrix of move costs (cached on the surface per weights)."""
    from scipy.sparse import coo_matrix

    key = (weights.ruling_grade, weights.grade_weight, weights.river_crossing_m)
    if key in surface._graphs:
        return surface._graphs[key]
    nrow, ncol = surface.shape
    idx = np.arange(nrow * ncol).reshape(nrow, ncol)
    ok = surface.allowed
    z = surface.elev
    riv = surface.river
    rows, cols, vals = [], [], []
    for dr, dc in _OFFSETS:
        r0, r1 = 0, nrow - dr
        c0, c1 = max(0, -dc), ncol - max(0, dc)
        a = (slice(r0, r1), slice(c0, c1))
        b = (slice(r0 + dr, r1 + dr), slice(c0 + dc, c1 + dc))
        length = surface.cell_m * math.hypot(dr, dc)
        both = ok[a] & ok[b]
        grade = np.abs(z[b] - z[a]) / length
        keep = both & (grade <= weights.ruling_grade)
        w = length * (1.0 + weights.grade_weight * grade / weights.ruling_grade)
        w = w + 0.5 * weights.river_crossing_m * (riv[a] ^ riv[b])
        rows.append(idx[a][keep])
        cols.append(idx[b][keep])
        vals.append(w[keep])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    v = np.concatenate(vals)
    g = coo_matrix((np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))),
                   shape=(nrow * ncol, nrow * ncol)).tocsr()
    surface._graphs.clear()  # one graph per surface: a new grade replaces the old one
    surface._graphs[key] = g
    return g


def least_cost_path(surface, cells, weights: LinkWeights | None = None,
                    labels=None) -> CellPath:
    """The cheapest path through ``cells`` (start, via …, end) in order.

    Parameters
    ----------
    surface : Surface
    cells : sequence of (row, col)
        Allowed cells: the start, any via cells, the end.
    weights : LinkWeights, optional
    labels : sequence of str, optional
        Names of the required points, for messages.

    Raises
    ------
    NoPathError
        A leg has no path within the ruling grade (the message names the leg).
    """
    from scipy.sparse.csgraph import dijkstra

    weights = weights or LinkWeights()
    cells = [tuple(int(v) for v in c) for c in cells]
    labels = list(labels) if labels else [f"point {i + 1}" for i in range(len(cells))]
    if len(cells) < 2:
        raise InputError("a path needs a start and an end")
    nrow, ncol = surface.shape
    for c, name in zip(cells, labels, strict=False):
        if not (0 <= c[0] < nrow and 0 <= c[1] < ncol) or not surface.allowed[c]:
            raise InputError(f"{name} is not on an allowed cell of the grid (sea, lake, "
                             "no-go zone or outside)")
    g = _graph(surface, weights)
    out = [np.array([cells[0]])]
    ends = [0]
    total = 0.0
    n_so_far = 1
    for k in range(len(cells) - 1):
        s = cells[k][0] * ncol + cells[k][1]
        t = cells[k + 1][0] * ncol + cells[k + 1][1]
        if s == t:
            ends.append(n_so_far - 1)
            continue
        dist, pred = dijkstra(g, directed=False, indices=s, return_predecessors=True)
        if not np.isfinite(dist[t]):
            raise NoPathError(
                f"no path from {labels[k]} to {labels[k + 1]} stays on land within the ruling "
                f"grade of {weights.ruling_grade * 1000:g} ‰ between cells: allow a steeper "
                "grade (--grade), use larger cells, or remove no-go zones / via points")
        seq = [t]
        while seq[-1] != s:
            seq.append(int(pred[seq[-1]]))
        seq = seq[::-1][1:]
        rc = np.column_stack([np.array(seq) // ncol, np.array(seq) % ncol])
        out.append(rc)
        total += float(dist[t])
        n_so_far += len(rc)
        ends.append(n_so_far - 1)
    return CellPath(np.concatenate(out).astype(int), total, ends)


def grades_along(surface, cells) -> np.ndarray:
    """Grade (fraction) of each move between consecutive cells of a path.

    >>> from mapapp.link.surface import Surface
    >>> s = Surface.synthetic([[0.0, 10.0]], cell_m=1000.0)
    >>> grades_along(s, [(0, 0), (0, 1)]).tolist()
    [0.01]
    """
    rc = np.asarray(cells)
    dz = np.abs(np.diff(surface.elev[rc[:, 0], rc[:, 1]]))
    step = surface.cell_m * np.hypot(*np.diff(rc, axis=0).T)
    return dz / step
