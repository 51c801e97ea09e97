"""UDA-inversion's tables from an evaluation's metrics: Table I (inversion: methods x
src / trg, PSNR, SSIM, FID, MSE, plus the pooled PSNR, LPIPS and images/s; a caption names
the PSNR / SSIM conventions) and Table II (editing: per
editor, domain x method, FID and ID similarity per attribute, plus edit success), as
tables.md and CSVs in the run folder; then ganlab's own: the collapse diagnostic and,
where the data renders them, the edits scored against the true counterfactual and the
oracle edits."""

from __future__ import annotations

from pathlib import Path

from ganlab.metrics.reconstruction import PSNR_CONVENTION, SSIM_CONVENTION
from ganlab.metrics.tables import markdown_table, write_csv

INVERSION_COLUMNS = (("PSNR", "psnr"), ("SSIM", "ssim"), ("FID", "fid"), ("MSE", "mse"), ("PSNR pooled", "psnr_pooled"),
                     ("LPIPS", "lpips"), ("img/s", "images_per_s"))
EDIT_COLUMNS = (("FID", "fid"), ("IDs", "id"), ("success", "success"))
DOMAIN_NAMES = {"src": "Src", "trg": "Trg"}


def per_inverter_table(metrics: dict[str, float], method_name: str, rows: list[str],
                       columns) -> tuple[list[str], list[list]]:
    """One line per inverter (the trained one, then the other rows) and domain."""
    headers = ["Method", *(name for name, _ in columns)]
    table = []
    for row in rows:
        for domain in DOMAIN_NAMES:
            suffix = f"_{domain}" + (f"_{row}" if row else "")
            table.append([f"{row or method_name} ({domain})",
                          *(metrics.get(f"test/{key}{suffix}", "") for _, key in columns)])
    return headers, table


def inversion_table(metrics: dict[str, float], method_name: str, rows: list[str]) -> tuple[list[str], list[list]]:
    return per_inverter_table(metrics, method_name, rows, INVERSION_COLUMNS)


def editing_table(metrics: dict[str, float], method_name: str, editor: str,
                  attributes: list[str]) -> tuple[list[str], list[list]]:
    headers = ["Domain", "Method", *(f"{a} {name}" for a in attributes for name, _ in EDIT_COLUMNS)]
    table = [[DOMAIN_NAMES[domain], method_name, *(metrics.get(f"test/edit_{key}_{editor}_{a}_{domain}", "")
                                                   for a in attributes for _, key in EDIT_COLUMNS)]
             for domain in DOMAIN_NAMES]
    # the no-inversion control: the same edits of the generator's own samples (success only)
    table.append(["Sampled", "(no inversion)", *(metrics.get(f"test/edit_success_{editor}_{a}_sampled", "")
                                                 if key == "success" else "" for a in attributes
                                                 for _, key in EDIT_COLUMNS)])
    return headers, table


CODE_COLUMNS = (("spread ratio", "code_spread_ratio"), ("min layer", "code_spread_ratio_min"),
                ("dist. to mean", "code_distance_to_mean"), ("sampled dist.", "code_distance_to_mean_sampled"),
                ("PSNR", "psnr"), ("PSNR base code", "psnr_base"))
COUNTERFACTUAL_COLUMNS = (("toward", "cf_moved_toward"), ("wrong-sign toward", "wrong_cf_moved_toward"),
                          ("RMSE", "cf_distance"), ("PSNR", "cf_psnr"))


def code_table(metrics: dict[str, float], method_name: str, rows: list[str]) -> tuple[list[str], list[list]]:
    return per_inverter_table(metrics, method_name, rows, CODE_COLUMNS)


def counterfactual_table(metrics: dict[str, float], editor: str, attributes: list[str]) -> tuple[list[str], list[list]]:
    headers = ["Domain", *(f"{a} {name}" for a in attributes for name, _ in COUNTERFACTUAL_COLUMNS)]
    table = [[DOMAIN_NAMES[domain], *(metrics.get(f"test/{key}_{editor}_{a}_{domain}", "")
                                      for a in attributes for _, key in COUNTERFACTUAL_COLUMNS)]
             for domain in DOMAIN_NAMES]
    return headers, table


ORACLE_KINDS = (("oracle code", "code"), ("oracle fusion", "fusion"))


def oracle_table(metrics: dict[str, float], attributes: list[str]) -> tuple[list[str], list[list]]:
    """Share moved toward the counterfactual by its own code rendered as an edit (oracle code) and
    by the source's code with its fusion (oracle fusion)."""
    headers = ["Domain", *(f"{a} {name}" for a in attributes for name, _ in ORACLE_KINDS)]
    table = [[DOMAIN_NAMES[domain], *(metrics.get(f"test/cf_oracle_moved_toward_{kind}_{a}_{domain}", "")
                                      for a in attributes for _, kind in ORACLE_KINDS)]
             for domain in DOMAIN_NAMES]
    return headers, table


def write_tables(metrics: dict[str, float], method_name: str, rows: list[str], attributes: list[str],
                 out_dir: str | Path) -> str:
    out_dir = Path(out_dir)
    headers, table = inversion_table(metrics, method_name, rows)
    write_csv(out_dir / "table_inversion.csv", headers, table)
    text = ["## Table I: inversion (scored against the clean image)", "", f"{PSNR_CONVENTION}. {SSIM_CONVENTION}.",
            "", markdown_table(headers, table)]
    csv_rows = []
    for editor in ("interfacegan", "ganspace"):
        headers, table = editing_table(metrics, method_name, editor, attributes)
        csv_rows += [[editor, *row] for row in table]
        text += ["", f"## Table II: editing after inversion ({editor})", "", markdown_table(headers, table)]
    write_csv(out_dir / "table_editing.csv", ["Editor", *headers], csv_rows)
    headers, table = code_table(metrics, method_name, rows)
    write_csv(out_dir / "table_codes.csv", headers, table)
    text += ["", "## Collapse diagnostic: spread of the inverted W+ codes / the generator's sampled codes", "",
             markdown_table(headers, table)]
    if any(k.startswith("test/cf_") for k in metrics):
        csv_rows = []
        for editor in ("interfacegan", "ganspace"):
            headers, table = counterfactual_table(metrics, editor, attributes)
            csv_rows += [[editor, *row] for row in table]
            text += ["", f"## Edits against the true counterfactual ({editor}; share moved toward it, "
                     "RMSE and PSNR to it)", "", markdown_table(headers, table)]
        write_csv(out_dir / "table_counterfactual.csv", ["Editor", *headers], csv_rows)
    if any(k.startswith("test/cf_oracle_") for k in metrics):
        headers, table = oracle_table(metrics, attributes)
        write_csv(out_dir / "table_counterfactual_oracle.csv", headers, table)
        text += ["", "## Oracle edits: the counterfactual's own code as the edit, the source's code with the "
                 "counterfactual's fusion (share moved toward it)", "", markdown_table(headers, table)]
    markdown = "\n".join(text) + "\n"
    (out_dir / "tables.md").write_text(markdown)
    return markdown
