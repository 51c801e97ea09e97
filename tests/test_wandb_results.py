"""The run-folder readers behind the W&B results: tables from CSVs and markdown sections,
curves files as line plots, run names from the overrides."""

from __future__ import annotations

from ganlab.loggers.wandb_logger import stage_key
from ganlab.loggers.wandb_naming import differing_overrides
from ganlab.loggers.wandb_results import line_plots, markdown_tables, run_tables
from ganlab.metrics.curve_files import write_curves_csv

TABLES_MD = """## Table I: inversion

| Method | PSNR |
|---|---|
| ours | 20.5 |
| base | 18.0 |

text between

## Table II: editing

| Domain | success |
|---|---|
| Src | 0.5 |
"""


def test_markdown_sections_become_titled_tables():
    tables = markdown_tables(TABLES_MD)
    assert [(t, c) for t, c, _ in tables] == [("Table I: inversion", ["Method", "PSNR"]),
                                              ("Table II: editing", ["Domain", "success"])]
    assert tables[0][2] == [["ours", 20.5], ["base", 18.0]]


def test_run_tables_cover_csvs_and_markdown_without_a_csv_twin(tmp_path):
    (tmp_path / "tables.md").write_text(TABLES_MD)
    (tmp_path / "edit_table.csv").write_text("method,score\nLW,0.5\n")
    (tmp_path / "edit_table.md").write_text("| method | score |\n|---|---|\n| LW | 0.5 |\n")  # the CSV's twin
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "metrics.csv").write_text("step,loss\n0,1.0\n")  # a logger's file, not a result
    tables = run_tables(tmp_path)
    assert sorted(tables) == ["tables/edit_table", "tables/tables/table_i_inversion", "tables/tables/table_ii_editing"]
    assert tables["tables/edit_table"] == (["method", "score"], [["LW", 0.5]])


def test_curves_files_become_one_line_plot_per_panel_and_value(tmp_path):
    points = [{"attribute": a, "method": m, "position": t, "success": t * (m == "scgan"), "fid": 1.0}
              for a in ("Smiling", "Eyeglasses") for m in ("scgan", "interfacegan") for t in (0.5, 1.0)]
    write_curves_csv(tmp_path, "edit_strength", "position", points, panel="attribute", series="method")
    plots = line_plots(tmp_path)
    assert sorted(plots) == [f"curves/edit_strength/{a}/{v}" for a in ("eyeglasses", "smiling")
                             for v in ("fid", "success")]
    table = plots["curves/edit_strength/smiling/success"].table
    assert table.columns == ["step", "lineKey", "lineVal"]  # x, series, value
    assert sorted(map(tuple, table.data)) == [(0.5, "interfacegan", 0.0), (0.5, "scgan", 0.5),
                                              (1.0, "interfacegan", 0.0), (1.0, "scgan", 1.0)]


def test_run_name_keeps_the_overrides_that_change_the_result():
    overrides = ["+experiment=icgan", "paths.log_dir=/x", "logger=wandb", "seed=3",
                 "method.stages.cgan.module.optimizer_g.lr=0.000234567",
                 "method.stages.cgan.module.optimizer_d.lr=1e-4", "editor.disentangle_weight=2.0"]
    assert differing_overrides(overrides) == ["seed=3", "method.stages.cgan.module.optimizer_g.lr=0.0002346",
                                              "method.stages.cgan.module.optimizer_d.lr=0.0001",
                                              "disentangle_weight=2.0"]


def test_keys_go_under_their_stage_once():
    assert [stage_key("eval", k) for k in ("eval/edits", "test/psnr", "eval")] == ["eval/edits", "eval/test/psnr",
                                                                                   "eval"]
    assert stage_key("cgan", "train/loss_g") == "cgan/train/loss_g" and stage_key("", "x") == "x"
