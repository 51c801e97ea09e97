"""The two synthfaces identity nets side by side, on held-out synthfaces: what each says of
the same person with one attribute flipped (a ground-truth counterfactual, i.e. the score
of a perfect edit; overall and per flipped attribute) and of two different people, and the
R^2 of their identity-factor head. identity-synthfaces32 regresses the factors (the
inversion recipes' identity loss); identity-invariant-synthfaces32 is the edits' judge.

    GANLAB_CACHE=/work/cache python scripts/identity_report.py [--out outputs/identity_report]

Zoo models missing from the cache are trained first. Writes identity_report.md / .csv.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from ganlab import zoo
from ganlab.data.synthfaces import ATTRIBUTES, SynthFacesDataModule
from ganlab.methods.identity_eval import IdentityEvaluation

NETS = ("identity-synthfaces32", "identity-invariant-synthfaces32")
COLUMNS = ("test/r2", "test/id_different", "test/id_same", *(f"test/id_same_{a}" for a in ATTRIBUTES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="outputs/identity_report")
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--cache-dir", default=None, help="zoo cache (default: GANLAB_CACHE or outputs/cache)")
    args = parser.parse_args()
    data = SynthFacesDataModule(image_size=32, target="identity")
    evaluate = IdentityEvaluation(pairs=args.pairs)
    rows = {name: evaluate({"identity": zoo.load(name, cache_dir=args.cache_dir)}, data, None) for name in NETS}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "identity_report.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["net", *COLUMNS])
        writer.writerows([name, *(f"{m.get(c, float('nan')):.4f}" for c in COLUMNS)] for name, m in rows.items())
    header = ["metric", *NETS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [f"| {c.removeprefix('test/')} | " + " | ".join(f"{rows[n].get(c, float('nan')):.3f}" for n in NETS) + " |"
              for c in COLUMNS]
    (out / "identity_report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
