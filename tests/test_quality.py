"""Quality thresholds of full-length recipes (slow: `make test-full`, or
`pytest -m slow`). They train for real, so expect several minutes each on a CPU."""

import csv

import pytest

from ganlab import compose
from ganlab.runner.run import train

from .conftest import run_overrides, run_script

pytestmark = pytest.mark.slow


def test_icgan_digits_edits_and_ey(compose_cfg):
    metrics = train(compose_cfg("+experiment=icgan"))
    assert metrics["test/classifier_acc"] >= 0.95
    assert metrics["test/ey_acc"] >= 0.95
    assert metrics["test/edit_success"] >= 0.90


@pytest.fixture(scope="module")
def icgan_synthfaces_metrics(tmp_path_factory):
    out = tmp_path_factory.mktemp("icgan_synthfaces")
    return train(compose(run_overrides(out / "run", out / "cache", "+experiment=icgan_synthfaces")))


def test_icgan_synthfaces_per_attribute_on_supported_edits(icgan_synthfaces_metrics):
    """IcGAN's quality thresholds on the edits whose label vector the data supports (every pair of
    values occurs in some training label): editing, not extrapolation."""
    m = icgan_synthfaces_metrics
    assert m["test/supported/edit_success_min"] >= 0.80, {k: v for k, v in m.items() if "supported/edit" in k}
    assert m["test/supported/preservation_min"] >= 0.90, {k: v for k, v in m.items() if "supported/pres" in k}


@pytest.mark.xfail(reason="synthfaces never shows make-up on a man or a beard on a woman (DESIGN.md), so those "
                   "flips ask the cGAN for label vectors it never saw: Heavy_Makeup succeeds ~0.2 of the time there",
                   strict=False)
def test_icgan_synthfaces_per_attribute_on_all_edits(icgan_synthfaces_metrics):
    m = icgan_synthfaces_metrics
    assert m["test/edit_success_min"] >= 0.80, {k: v for k, v in m.items() if "success" in k}
    assert m["test/preservation_min"] >= 0.90, {k: v for k, v in m.items() if "preservation" in k}


def test_stylegan2_synthfaces_generates_every_attribute(compose_cfg):
    """StyleGAN2: the samples show every attribute, the rare ones (~4-6 %) included: each at
    no less than half its frequency in the data, and close to it on average."""
    metrics = train(compose_cfg("+experiment=stylegan2_synthfaces"))
    freqs = {k: v for k, v in metrics.items() if k.startswith("test/freq")}
    assert metrics["test/freq_ratio_min"] >= 0.5, freqs
    assert metrics["test/freq_gap_mean"] <= 0.05, freqs


def test_stylegan2_beats_the_unconditional_dcgan_on_synthfaces_fid(tmp_path):
    """StyleGAN2: the zoo StyleGAN2 has a lower FID (domain features, 5k vs 5k) than the
    framework's DCGAN trained on the same images without labels; both stay above the floor."""
    out = tmp_path / "report"
    done = run_script("reproduce/fid_report.py", "--num-images", "5000", "--cache-dir", str(tmp_path / "cache"),
                      "--out", str(out), timeout=None)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    fid = {row["zoo"]: float(row["fid"]) for row in csv.DictReader((out / "fid_report.csv").open())}
    assert fid["-"] < fid["stylegan2-synthfaces32"] < fid["dcgan-synthfaces32"], fid
