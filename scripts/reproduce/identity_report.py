"""The two synthfaces identity nets side by side, on held-out synthfaces: what each says of
the same person with one attribute flipped (a ground-truth counterfactual, i.e. the score
of a perfect edit; overall and per flipped attribute) and of two different people, and the
R^2 of their identity-factor head. identity-synthfaces32 regresses the factors (the
inversion recipes' identity loss); identity-invariant-synthfaces32 is the edits' judge.

    GANLAB_CACHE=/path/to/cache python scripts/reproduce/identity_report.py [--out outputs/identity_report]

Zoo models missing from the cache are trained first. Writes identity_report.md / .csv.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ganlab import zoo
from ganlab.data.synthfaces import ATTRIBUTES, SynthFacesDataModule
from ganlab.evaluation.identity import IdentityEvaluation
from ganlab.metrics.tables import markdown_table, write_csv

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

    def value(name: str, column: str, digits: int) -> str:
        return f"{rows[name].get(column, float('nan')):.{digits}f}"

    write_csv(out / "identity_report.csv", ["net", *COLUMNS], [[n, *(value(n, c, 4) for c in COLUMNS)] for n in NETS])
    table = markdown_table(["metric", *NETS], [[c.removeprefix("test/"), *(value(n, c, 3) for n in NETS)]
                                               for c in COLUMNS])
    (out / "identity_report.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
