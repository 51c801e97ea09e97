"""What a W&B dashboard user gets from a run, read back from the offline run file: the
config (also when every stage comes from the cache), name, group and tags, keys under their
stage once, the run's tables and curves, an image per evaluation and a results artifact."""

from __future__ import annotations

import json

from tests.test_cli import run
from tests.wandb_records import read_records


def wandb_run(run_dir):
    (path,) = list((run_dir / "wandb").glob("offline-run-*/run-*.wandb"))
    records = read_records(path)
    kinds = {}
    for r in records:
        kinds.setdefault(r.WhichOneof("record_type"), []).append(r)
    return kinds


def keys(items) -> set[str]:
    return {i.key or "/".join(i.nested_key) for i in items}


def history(kinds) -> dict[str, str]:
    return {(i.key or "/".join(i.nested_key)): i.value_json for r in kinds["history"] for i in r.history.item}


def test_wandb_run_holds_config_names_tables_images_and_artifact(tmp_path):
    logs = tmp_path / "outputs"
    args = ["train.py", "+experiment=icgan", "debug=limit", "logger=wandb", "seed=3", "callbacks.progress_bar=null",
            f"paths.log_dir={logs}"]
    run(args, tmp_path)
    run(args, tmp_path)  # every stage from the cache now
    first, second = sorted((logs / "train" / "runs").iterdir())

    for run_dir in (first, second):
        kinds = wandb_run(run_dir)
        (info,) = [r.run for r in kinds["run"]]
        assert info.display_name == "icgan debug=limit seed=3"  # recipe + the overrides that change the result
        assert info.run_group == "icgan"  # a single run: the recipe
        assert set(info.tags) == {"icgan", "cgan", "encoders", "seed=3"}
        config = keys(u for r in kinds["config"] for u in r.config.update)
        assert {"method", "data", "trainer", "seed", "experiment_name"} <= config, config
        logged = history(kinds)
        assert not [k for k in logged if "eval-" in k or "eval/eval/" in k], sorted(logged)
        assert json.loads(logged["eval/tables/metrics/_type"]) == "table-file"
        images = {k.rsplit("/", 1)[0] for k in logged if k.endswith("/_type") and "images" in logged[k]}
        assert {"eval/edits", "eval/reconstructions"} <= images, sorted(images)
        (artifact,) = [r.artifact for r in kinds["artifact"] if r.artifact.type == "results"]
        assert "metrics.json" in {m.path for m in artifact.manifest.contents}

    trained = history(wandb_run(first))
    assert any(k.startswith("cgan/train/") for k in trained) and any(k.startswith("encoders/") for k in trained), \
        sorted(trained)  # each stage's keys under its name, once
    summary = keys(u for r in wandb_run(second)["summary"] for u in r.summary.update)
    assert {"cgan/cached", "encoders/cached"} <= summary, summary  # stages from the cache are reported too
