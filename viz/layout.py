"""Positions for the atlas: ForceAtlas2's forces, with repulsion on a grid so 100k nodes take seconds.

networkx's `forceatlas2_layout` computes every pair of nodes each step (dense n x n arrays):
1,000 nodes take 7.6 s and 3,000 take 71 s on one core, and 16,000 concepts would need gigabytes.
Here the forces are ForceAtlas2's (repulsion k·m_i·m_j/d with mass = degree + 1, attraction linear
in distance along weighted links, gravity towards the centre), but repulsion comes from the
masses spread on a grid and convolved with the 1/d kernel by FFT (a particle-mesh method), so a
step costs O(n + edges + grid log grid). Steps are capped by a temperature that cools, so the
layout settles. Same graph and seed, same positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Floats = npt.NDArray[np.float64]
    Ints = npt.NDArray[np.int64]
    Complex = npt.NDArray[np.complex128]

ITERATIONS = 150
REPULSION = 1.0
GRAVITY = 1.0
BLEND = 0.25  # share of the force layout's own radius kept by _even_out


def force_layout(
    n_nodes: int,
    edges: Sequence[tuple[int, int, float]],
    *,
    iterations: int = ITERATIONS,
    seed: int = 0,
) -> list[tuple[float, float]]:
    """(x, y) of each node 0..n-1, linked by (i, j, weight) edges; centred, about unit radius.

    Example:
        >>> pos = force_layout(3, [(0, 1, 1.0)], iterations=50)
        >>> len(pos), all(abs(x) <= 2 and abs(y) <= 2 for x, y in pos)
        (3, True)
    """
    import numpy as np

    if n_nodes == 0:
        return []
    rng = np.random.default_rng(seed)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    weight = np.log1p(np.array([e[2] for e in edges], dtype=np.float64))
    degree = np.bincount(src, minlength=n_nodes) + np.bincount(dst, minlength=n_nodes)
    mass = degree.astype(np.float64) + 1.0
    radius = np.sqrt(n_nodes)
    pos = rng.normal(scale=radius / 2, size=(n_nodes, 2))
    kernel = _kernel(_grid_size(n_nodes))  # ~17 MB at 16k nodes and up: made once, kept no longer
    for step in range(iterations):
        force = (
            _repulsion(pos, mass, kernel) + _attraction(pos, src, dst, weight) + _gravity(pos, mass)
        )
        spread = float(np.sqrt(((pos - pos.mean(axis=0)) ** 2).sum(axis=1).mean())) or 1.0
        cool = 1.0 - step / iterations
        limit = spread * (0.1 * cool + 0.002)
        length = np.linalg.norm(force, axis=1, keepdims=True)
        pos += force / np.maximum(length, 1e-12) * np.minimum(length, limit)
    return [(float(x), float(y)) for x, y in _even_out(pos)]


def _even_out(pos: Floats) -> Floats:
    """Keep each node's direction and radial order, but space radii by rank (equal areas).

    Linked-to-nothing concepts end up in a far ring around a dense core; ranking the radii
    closes that gap, so the core fills the screen. Radius 1 holds the outermost node.
    """
    import numpy as np

    centred = pos - np.median(pos, axis=0)
    radius = np.linalg.norm(centred, axis=1)
    ranks = np.empty(len(pos))
    ranks[np.argsort(radius, kind="stable")] = np.arange(1, len(pos) + 1)
    even = np.sqrt(ranks / len(pos))
    scale = float(radius.max()) or 1.0
    new = BLEND * radius / scale + (1 - BLEND) * even
    moved: Floats = centred * (new / np.maximum(radius, 1e-12))[:, None]
    return moved


def _attraction(pos: Floats, src: Ints, dst: Ints, weight: Floats) -> Floats:
    import numpy as np

    pull = (pos[dst] - pos[src]) * weight[:, None]
    force = np.zeros_like(pos)
    for axis in (0, 1):
        n = len(pos)
        force[:, axis] += np.bincount(src, pull[:, axis], minlength=n)
        force[:, axis] -= np.bincount(dst, pull[:, axis], minlength=n)
    return force


def _gravity(pos: Floats, mass: Floats) -> Floats:
    import numpy as np

    # ForceAtlas2's "strong gravity" (grows with distance): concepts linked to nothing stay near
    # the map instead of drifting out to a ring that would shrink everything else on screen.
    pull: Floats = -GRAVITY * mass[:, None] * (pos - pos.mean(axis=0)) / np.sqrt(len(pos))
    return pull


def _repulsion(pos: Floats, mass: Floats, kernel: tuple[Complex, Complex]) -> Floats:
    """k·m_i·Σ_j m_j (x_i - x_j)/|x_i - x_j|², the sum taken on a grid (cloud-in-cell, FFT)
    with `kernel`, `_kernel` of the grid's size."""
    import numpy as np

    cells = _grid_size(len(pos))
    low = pos.min(axis=0)
    span = float((pos.max(axis=0) - low).max()) or 1.0
    h = span / (cells - 1)
    g = (pos - low) / h  # grid coordinates in [0, cells - 1]
    i0 = np.minimum(np.floor(g).astype(np.int64), cells - 2)
    f = g - i0
    weights = [
        ((0, 0), (1 - f[:, 0]) * (1 - f[:, 1])),
        ((1, 0), f[:, 0] * (1 - f[:, 1])),
        ((0, 1), (1 - f[:, 0]) * f[:, 1]),
        ((1, 1), f[:, 0] * f[:, 1]),
    ]
    density = sum(
        np.bincount((i0[:, 0] + dx) * cells + i0[:, 1] + dy, w * mass, minlength=cells * cells)
        for (dx, dy), w in weights
    )
    field_x, field_y = _convolve(np.reshape(density, (cells, cells)), cells, kernel)
    field_x /= h  # the kernel scales as 1/distance
    field_y /= h
    force = np.zeros_like(pos)
    for (dx, dy), w in weights:
        idx = (i0[:, 0] + dx, i0[:, 1] + dy)
        force[:, 0] += w * field_x[idx]
        force[:, 1] += w * field_y[idx]
    return REPULSION * mass[:, None] * force


def _convolve(
    density: Floats, cells: int, kernel: tuple[Complex, Complex]
) -> tuple[Floats, Floats]:
    """The field of the grid's masses (cell size 1), zero-padded to 2x so it does not wrap."""
    import numpy as np

    size = 2 * cells
    kernel_x, kernel_y = kernel
    spectrum = np.fft.rfft2(density, s=(size, size))
    field_x = np.fft.irfft2(spectrum * kernel_x, s=(size, size))[:cells, :cells]
    field_y = np.fft.irfft2(spectrum * kernel_y, s=(size, size))[:cells, :cells]
    return field_x, field_y


def _kernel(cells: int) -> tuple[Complex, Complex]:
    """Spectra of r/|r|² on a grid of cell size 1, softened so nodes in one cell push gently."""
    import numpy as np

    size = 2 * cells
    offsets = np.fft.fftfreq(size, d=1.0 / size)  # 0, 1, 2, …, -2, -1
    dx, dy = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = dx * dx + dy * dy + 0.25
    return np.fft.rfft2(dx / r2), np.fft.rfft2(dy / r2)


def _grid_size(n_nodes: int) -> int:
    """Grid cells per side: finer for more nodes, within 64..512.

    Example:
        >>> _grid_size(100), _grid_size(16_000), _grid_size(1_000_000)
        (64, 256, 512)
    """
    side = 64
    while side < 512 and side * side < 4 * n_nodes:
        side *= 2
    return side
