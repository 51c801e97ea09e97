"""The smallest edit strength at which a score reaches a goal, for scores that need not rise
with the strength (an edit pushed past its target leaves it again: 2 -> 3 digits becomes 4)."""

from __future__ import annotations

from collections.abc import Callable


def first_alpha_reaching(score: Callable[[float], float], goal: float, max_alpha: float, scan: int,
                         steps: int) -> tuple[float, float]:
    """(alpha, score(alpha)): the first of `scan` even steps up to max_alpha whose score reaches
    `goal`, refined by `steps` bisections against the step before it; where no step reaches
    it, the smallest step with the highest score."""
    if scan < 1 or max_alpha <= 0:
        raise ValueError(f"the alpha search needs scan >= 1 and max_alpha > 0, got {scan} and {max_alpha}")
    previous, best = 0.0, (0.0, float("-inf"))
    for i in range(1, scan + 1):
        alpha = max_alpha * i / scan
        value = score(alpha)
        if value >= goal:
            lo, hi, reached = previous, alpha, value
            for _ in range(steps):
                mid = (lo + hi) / 2
                found = score(mid)
                lo, hi, reached = (lo, mid, found) if found >= goal else (mid, hi, reached)
            return hi, reached
        if value > best[1]:
            best = (alpha, value)
        previous = alpha
    return best
