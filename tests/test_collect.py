"""scripts/collect.py --group-by: a seed table (mean ± std per group) from a multirun folder, in
the layout train.py -m writes (<sweep>/<job>/.hydra/overrides.yaml, config.yaml, metrics.json)."""

import csv
import json
import statistics

import yaml

from .conftest import run_script

# job: (overrides, metrics); loss.discrepancy.weight=0 has three seeds, =1 two (its seed 2 lacks test/fid)
JOBS = [(["+experiment=uda_inversion", "loss.discrepancy.weight=1", "seed=0"], {"test/psnr": 17.0, "test/fid": 40.0}),
        (["+experiment=uda_inversion", "loss.discrepancy.weight=1", "seed=1"], {"test/psnr": 18.0, "test/fid": 44.0}),
        (["+experiment=uda_inversion", "loss.discrepancy.weight=0", "seed=0"], {"test/psnr": 15.0, "test/fid": 50.0}),
        (["+experiment=uda_inversion", "loss.discrepancy.weight=0", "seed=1"], {"test/psnr": 16.5, "test/fid": 52.0}),
        (["+experiment=uda_inversion", "loss.discrepancy.weight=0", "seed=2"], {"test/psnr": 15.5})]


def write_multirun(folder, jobs=JOBS):
    for job, (overrides, metrics) in enumerate(jobs):
        run = folder / str(job)
        (run / ".hydra").mkdir(parents=True)
        (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        seed = int(overrides[-1].split("=")[1])
        (run / "config.yaml").write_text(yaml.safe_dump({"seed": seed, "data": {"image_size": 32 * (1 + job % 2)}}))
        (run / "metrics.json").write_text(json.dumps(metrics))
    return folder


def collect(*args, expect=0):
    done = run_script("collect.py", *map(str, args))
    assert done.returncode == expect, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_group_by_an_override_gives_mean_and_std_over_the_seeds(tmp_path):
    sweep = write_multirun(tmp_path / "sweep")
    out = collect(sweep, "--group-by", "loss.discrepancy.weight", "--metrics", "test/psnr,test/fid").stdout
    rows = {r["loss.discrepancy.weight"]: r for r in csv.DictReader((sweep / "groups.csv").open())}
    assert list(rows) == ["loss.discrepancy.weight=1", "loss.discrepancy.weight=0"]  # in the order runs appear
    zero = rows["loss.discrepancy.weight=0"]
    assert zero["runs"] == "3" and zero["test/psnr n"] == "3" and zero["test/fid n"] == "2"
    assert float(zero["test/psnr mean"]) == statistics.mean([15.0, 16.5, 15.5])
    assert float(zero["test/psnr std"]) == statistics.stdev([15.0, 16.5, 15.5])
    assert float(zero["test/fid std"]) == statistics.stdev([50.0, 52.0])
    one = rows["loss.discrepancy.weight=1"]
    assert (float(one["test/psnr mean"]), float(one["test/fid mean"])) == (17.5, 42.0)
    # the markdown table: printed and written, one row per group, mean ± std in each cell
    table = (sweep / "groups.md").read_text()
    assert "| loss.discrepancy.weight=1 | 2 | 17.5 ± 0.71 | 42 ± 2.8 |" in table
    assert "| loss.discrepancy.weight=0 | 3 | 15.67 ± 0.76 | 51 ± 1.4 |" in table
    assert "| loss.discrepancy.weight=1 | 2 | 17.5 ± 0.71 | 42 ± 2.8 |" in out
    assert "| 4 | +experiment=uda_inversion loss.discrepancy.weight=0 seed=2 | 15.5 |  |" in out  # every run too


def test_group_by_a_config_key_and_by_two_keys(tmp_path):
    """A key no override sets is read from each run's config.yaml; two keys split the groups further."""
    sweep = write_multirun(tmp_path / "sweep")
    collect(sweep, "--group-by", "data.image_size", "--metrics", "test/psnr")
    rows = {r["data.image_size"]: r for r in csv.DictReader((sweep / "groups.csv").open())}
    assert {k: v["runs"] for k, v in rows.items()} == {"data.image_size=32": "3", "data.image_size=64": "2"}
    assert float(rows["data.image_size=64"]["test/psnr mean"]) == statistics.mean([18.0, 16.5])
    collect(sweep, "--group-by", "+experiment,loss.discrepancy.weight", "--metrics", "test/psnr")
    groups = [r["+experiment loss.discrepancy.weight"] for r in csv.DictReader((sweep / "groups.csv").open())]
    assert groups == ["experiment=uda_inversion loss.discrepancy.weight=1",
                      "experiment=uda_inversion loss.discrepancy.weight=0"]


def test_group_by_a_key_the_runs_lack_names_it(tmp_path):
    sweep = write_multirun(tmp_path / "sweep")
    done = collect(sweep, "--group-by", "loss.no_such_weight", expect=2)
    assert "no override loss.no_such_weight=... and no 'loss.no_such_weight' in its config.yaml" in done.stderr
    assert not (sweep / "groups.csv").exists()
