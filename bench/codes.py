"""RF payment codes created + validated per second, beside python-stdnum's validate rate.

Both run on the same codes in the same process, so the ratio is what to read:
``python bench/codes.py [N]``.
"""

from __future__ import annotations

import random
import string
import sys
import time

from stdnum import iso11649

from paydesk.codes import rf


def _references(n: int, seed: int = 11649) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.digits + string.ascii_uppercase
    refs = []
    for i in range(n):
        if i % 2:  # dias layout: 21 digits
            refs.append("".join(rng.choices(string.digits, k=21)))
        else:  # iso layout: prefix + kind + document number
            refs.append("PD" + "".join(rng.choices(alphabet, k=rng.randint(4, 19))))
    return refs


def _best_of(repeats: int, fn) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(n: int = 200_000) -> None:
    references = _references(n)
    codes = [rf.create(r) for r in references]
    assert all(iso11649.validate(c) == rf.validate(c) for c in codes[:10_000])

    def ours() -> None:
        create, validate = rf.create, rf.validate
        for reference in references:
            validate(create(reference))

    def ours_validate_only() -> None:
        validate = rf.validate
        for code in codes:
            validate(code)

    def stdnum_validate() -> None:
        validate = iso11649.validate
        for code in codes:
            validate(code)

    # Rounds interleave the three, so a busy moment on the machine hits them alike.
    t_ours = t_ours_v = t_std = float("inf")
    for _ in range(5):
        t_ours = min(t_ours, _best_of(1, ours))
        t_ours_v = min(t_ours_v, _best_of(1, ours_validate_only))
        t_std = min(t_std, _best_of(1, stdnum_validate))
    print(f"codes: {n}")
    print(f"paydesk create+validate : {n / t_ours:>12,.0f} codes/s")
    print(f"paydesk validate        : {n / t_ours_v:>12,.0f} codes/s")
    print(f"python-stdnum validate  : {n / t_std:>12,.0f} codes/s (baseline)")
    print(f"ratio create+validate / stdnum validate: {t_std / t_ours:.2f}x")
    print(f"ratio validate / stdnum validate       : {t_std / t_ours_v:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
