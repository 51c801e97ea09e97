"""scripts/bench_flagship.py on its cheapest stage (the identity net): the markdown table has
every column, positive timings and FLOPs, the stage's full step count from its recipe, and a
projection that is that count times the step time, the counted work and its time at the peak;
the CSV holds the same row."""

import csv
import re

from .conftest import run_script

COLUMNS = ["stage", "batch", "steps/stage", "step ms", "mean ms", "img/s", "data %", "outside net %", "GFLOP/step",
           "GFLOP/s", "peak GFLOP/s", "% of peak", "projected s", "setup s"]


def table_rows(stdout: str) -> list[dict]:
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("| stage |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert header == COLUMNS
    body = [line for line in lines[start + 2:] if line.startswith("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in body]


def test_one_stage_profile_has_positive_numbers_and_a_consistent_projection(tmp_path):
    done = run_script("bench_flagship.py", "--stages", "identity", "--steps", "2", "--warmup", "1", "--threads", "1",
                      "--peak-runs", "3", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = table_rows(done.stdout)
    assert [r["stage"] for r in rows] == ["identity"]
    row = {k: float(v) for k, v in rows[0].items() if k != "stage"}
    assert row["batch"] == 64 and row["steps/stage"] == 2000   # 8 epochs of 16,000 / 64 training images
    for key in ("step ms", "mean ms", "img/s", "GFLOP/step", "GFLOP/s", "peak GFLOP/s", "% of peak", "projected s",
                "setup s"):
        assert row[key] > 0, (key, row)
    assert 0 <= row["data %"] < 100 and 0 < row["outside net %"] < 100, row
    assert abs(row["projected s"] - row["steps/stage"] * row["step ms"] / 1e3) <= 0.01 * row["projected s"]
    assert abs(row["img/s"] - row["batch"] / row["step ms"] * 1e3) <= 0.01 * row["img/s"]
    work, at_peak = map(float, re.search(r"counted work: ([\d.]+) TFLOP, (\d+) s", done.stdout).groups())
    assert abs(work - row["GFLOP/step"] * row["steps/stage"] / 1e3) <= 0.01 * work + 0.05  # table digits
    assert abs(at_peak - row["GFLOP/step"] * row["steps/stage"] / row["peak GFLOP/s"]) <= 0.01 * at_peak + 0.5
    with open(tmp_path / "bench_flagship.csv") as f:
        saved = list(csv.DictReader(f))
    assert [r["stage"] for r in saved] == ["identity"] and float(saved[0]["GFLOP/step"]) > 0


def test_a_stage_override_reaches_its_recipe_only(tmp_path):
    done = run_script("bench_flagship.py", "--stages", "identity", "--steps", "1", "--warmup", "0", "--threads", "1",
                      "--peak-runs", "1", "--override", "identity:data.batch_size=32",
                      "--override", "stylegan2:data.batch_size=16", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    row = table_rows(done.stdout)[0]
    assert float(row["batch"]) == 32 and float(row["steps/stage"]) == 4000  # twice the steps at half the batch


def test_a_malformed_override_is_refused_with_the_expected_form(tmp_path):
    done = run_script("bench_flagship.py", "--override", "data.batch_size=16", "--out", str(tmp_path))
    assert done.returncode == 2 and "STAGE:KEY=VALUE" in done.stderr, done.stderr[-2000:]
