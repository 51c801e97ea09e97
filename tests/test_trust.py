"""The cache cannot lie: a stage resumed from a checkpoint of other settings is refused
(or run uncached), cache keys follow the code that builds a result, and a resumed stage
records where it came from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from ganlab.config.validate import ConfigError
from ganlab.runner.run import train
from ganlab.trust import fingerprint

QUICK = ["+experiment=icgan", "debug=limit", "logger=csv"]


def _last(cfg, stage: str) -> Path:
    return Path(cfg.paths.output_dir) / "checkpoints" / stage / "last.ckpt"


def test_checkpoint_of_other_settings_is_refused_or_runs_uncached(compose_cfg, tmp_path):
    first = compose_cfg(*QUICK, cache=tmp_path / "a")
    train(first)
    ckpt = _last(first, "cgan")
    other_lr = "method.stages.cgan.module.optimizer_g.lr=0.003"
    with pytest.raises(ConfigError) as refused:
        train(compose_cfg(*QUICK, other_lr, f"ckpt_path={ckpt}", cache=tmp_path / "b"))
    message = str(refused.value)
    assert "optimizer_g.lr: 0.0002 -> 0.003" in message and "resume_mismatch=run_uncached" in message
    assert not list((tmp_path / "b").rglob("*.pt"))  # nothing cached under the wrong key

    train(compose_cfg(*QUICK, other_lr, f"ckpt_path={ckpt}", "resume_mismatch=run_uncached", cache=tmp_path / "b"))
    cached = [p.name for p in (tmp_path / "b").rglob("*.pt")]
    assert not [n for n in cached if n.startswith(("cgan-", "encoders-"))], cached  # ran, neither stage cached


def test_a_resumed_stage_records_its_provenance(compose_cfg, tmp_path):
    first = compose_cfg(*QUICK, cache=tmp_path / "a")
    train(first)
    ckpt = _last(first, "cgan")
    train(compose_cfg(*QUICK, f"ckpt_path={ckpt}", cache=tmp_path / "b"))
    (cgan_file,) = (tmp_path / "b" / "stages").glob("cgan-*.pt")
    assert torch.load(cgan_file, weights_only=True)["provenance"] == {"resumed_from": str(ckpt)}
    (encoders_file,) = (tmp_path / "b" / "stages").glob("encoders-*.pt")
    assert torch.load(encoders_file, weights_only=True)["provenance"] == {}


def test_code_fingerprint_follows_the_files_a_target_runs(tmp_path, monkeypatch):
    copy = tmp_path / "ganlab"
    shutil.copytree(fingerprint.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", copy)
    fingerprint._closure.cache_clear()
    target = ["ganlab.methods.gans.cgan.ConditionalGAN"]
    behind = fingerprint.modules_behind(target)
    assert "ganlab.randomness" in behind  # imported by cgan.py
    assert "ganlab.evaluation.scgan" not in behind
    before = fingerprint.code_fingerprint(target)

    unrelated = copy / "evaluation" / "scgan.py"
    unrelated.write_text("# edited\n" + unrelated.read_text())
    assert fingerprint.code_fingerprint(target) == before  # a file it does not run
    (copy / "randomness.py").write_text((copy / "randomness.py").read_text() + "\n# edited\n")
    assert fingerprint.code_fingerprint(target) != before  # a file it imports
    fingerprint._closure.cache_clear()


def test_zoo_keys_follow_recipe_and_overrides():
    from ganlab import zoo

    base = zoo.cache_key("stylegan2-synthfaces32")
    assert zoo.cache_key("stylegan2-synthfaces32") == base
    assert zoo.cache_key("stylegan2-synthfaces32", ("debug=fdr",)) != base
    assert zoo.cache_key("stylegan2-synthfaces32-mlp8") != base  # the same recipe with an 8-layer mapping


EXPERIMENTS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "configs" / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_recipe_stage_can_be_rebuilt_from_its_module_file(compose_cfg, experiment):
    """The targets a stage's stored config names are all ones a module file may name, so
    what ganlab caches it can load again."""
    from omegaconf import open_dict

    from ganlab.trust.targets import check

    cfg = compose_cfg(f"+experiment={experiment}")
    with open_dict(cfg):  # what the data would fill in; only the targets matter here
        cfg.data_info = {"label_dim": 2, "label_kind": "binary", "label_names": ["a", "b"], "channels": 3,
                         "image_size": 32, "latent_dim": 8, "n_latent": 4, "edits": []}
    for name, stage in cfg.method.stages.items():
        check(OmegaConf.to_container(stage.module, resolve=True), f"{experiment}:{name}")


def test_checkpoints_of_an_uncached_resumed_run_cannot_be_resumed_into_the_cache(compose_cfg, tmp_path):
    first = compose_cfg(*QUICK, cache=tmp_path / "a")
    train(first)
    other = compose_cfg(*QUICK, "method.stages.cgan.module.optimizer_g.lr=0.003",
                        f"ckpt_path={_last(first, 'cgan')}", "resume_mismatch=run_uncached", cache=tmp_path / "b")
    train(other)
    with pytest.raises(ConfigError, match="records no stage key"):
        train(compose_cfg(*QUICK, "method.stages.cgan.module.optimizer_g.lr=0.003",
                          f"ckpt_path={_last(other, 'encoders')}", cache=tmp_path / "b"))


def test_a_zoo_model_given_by_the_user_is_keyed_by_its_file(tmp_path, monkeypatch):
    """GANLAB_ZOO_<NAME> (or path=) swaps the model a stage is built on: the key a stage
    records for it follows the file's content, so the cache never serves one for the other."""
    from ganlab import zoo, zoo_catalog

    refs = zoo_catalog.zoo_references({"g": {"_target_": "ganlab.zoo.load", "name": "stylegan2-synthfaces32"}})
    assert refs == [("stylegan2-synthfaces32", (), None)]
    base = zoo.source_key("stylegan2-synthfaces32")
    file = tmp_path / "mine.pt"
    file.write_bytes(b"one")
    monkeypatch.setenv("GANLAB_ZOO_STYLEGAN2_SYNTHFACES32", str(file))
    first = zoo.source_key("stylegan2-synthfaces32")
    file.write_bytes(b"other weights")
    assert len({base, first, zoo.source_key("stylegan2-synthfaces32")}) == 3
    assert zoo.source_key("stylegan2-synthfaces32", path=str(file)) == zoo.source_key("stylegan2-synthfaces32")
