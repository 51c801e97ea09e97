"""Bad input, as a new user meets it: each case fails before training with an error that
names the key or file to change, and leaves nothing in the cache. One row per case."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch

from ganlab import module_files, zoo, zoo_catalog
from ganlab.config.preflight import remove_stale_tmp
from ganlab.runner.run import FailedTrial, prepare, sweep_value, train
from tests.data_files import write_celeba, write_image_folder

MARKER = Path("/tmp/ganlab-crafted-file-ran")


class RunsCode:
    """What a crafted pickle carries: unpickling it would run a shell command."""

    def __reduce__(self):
        return os.system, (f"touch {MARKER}",)


def crafted_checkpoint(path: Path) -> Path:
    torch.save({"ganlab": {"stage": "cgan"}, "state_dict": {}, "payload": RunsCode()}, path)
    return path


def crafted_module_file(file: Path, target: str, **kwargs) -> Path:
    """A module file in ganlab's own weights-only format whose stored config names `target`."""
    config = "\n".join([f"_target_: {target}", *(f"{k}: {v}" for k, v in kwargs.items())])
    torch.save({"recipe": {"config": config, "inputs": {}}, "state_dict": {}, "metrics": {}}, file)
    return file


def folder_with_corrupt_image(tmp: Path) -> Path:
    root = write_image_folder(tmp / "imgs", n=40, size=36)
    (root / "00000" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    return root


def labelled_folder(tmp: Path) -> Path:
    return write_celeba(tmp / "celeba", n=12)


def cache_has_no_entries(cache: Path) -> bool:
    return not [p for p in cache.rglob("*.pt")]


# (case, overrides builder (tmp -> list), expected error type name, fragment the message must hold)
CONFIG_CASES = [
    ("unknown root key", lambda t: ["+learning_rate=0.1"], "ConfigError", "learning_rate"),
    ("unknown key in a group", lambda t: ["+data.colour=red"], "ConfigError", "data.colour"),
    ("wrong type", lambda t: ["data.batch_size=lots"], "ConfigError", "data.batch_size"),
    ("wrong type in a stage module", lambda t: ["method.stages.cgan.module.seed=first"], "ConfigError",
     "method.stages.cgan.module.seed"),
    ("batch size zero", lambda t: ["data.batch_size=0"], "InstantiationException", "data.batch_size"),
    ("image size not a power of two", lambda t: ["data.image_size=30"], "InstantiationException",
     "data.image_size"),
    ("bad split fractions", lambda t: ["data=image_folder", f"data.root={write_image_folder(t / 's', n=40)}",
                                       "data.splits=[0.5,0.5,0.5]"], "ValueError", "splits"),
    ("missing required value", lambda t: ["data=image_folder"], "ConfigError", "data.root"),
    ("missing data folder", lambda t: ["data=image_folder", f"data.root={t}/nowhere"], "FileNotFoundError",
     "nowhere"),
    ("empty data folder", lambda t: ["data=image_folder", f"data.root={t}"], "FileNotFoundError", "no images"),
    ("corrupt image, data.verify=true", lambda t: ["data=image_folder", f"data.root={folder_with_corrupt_image(t)}",
                                                    "data.image_size=32", "data.verify=true"],
     "CorruptImageError", "broken.png"),
    ("unlabelled folder in a labelled recipe", lambda t: ["data=image_folder", "data.image_size=32",
                                                           f"data.root={write_image_folder(t / 'u', n=40)}"],
     "ConfigError", "needs labelled data"),
    ("unknown CelebA attribute", lambda t: ["data=celeba", f"data.root={labelled_folder(t)}",
                                            "data.attributes=[Smiling,Sparkles]", "data.image_size=32"],
     "ValueError", "Sparkles"),
    ("CelebA without its attribute file", lambda t: ["data=celeba", f"data.root={t}/c",
                                                     *_celeba_without_attributes(t)], "FileNotFoundError",
     "list_attr_celeba.txt"),
    ("later stage's trainer value", lambda t: ["method.stages.encoders.trainer.max_epochs=-3"], "ConfigError",
     "method.stages.encoders.trainer"),
    ("trainer value of the wrong type", lambda t: ["trainer.precision=banana"], "ConfigError", "trainer.precision"),
    ("unknown stage key", lambda t: ["+method.stages.cgan.epochs=3"], "ConfigError", "method.stages.cgan.epochs"),
    ("stage input that is not earlier", lambda t: ["+method.stages.cgan.inputs.g=encoders"], "ConfigError",
     "not an earlier stage"),
    ("unknown method key", lambda t: ["+method.schedule=cosine"], "ConfigError", "method.schedule"),
    ("unwritable output folder", lambda t: ["paths.output_dir=/proc/ganlab-run"], "ConfigError", "paths.output_dir"),
    ("unwritable cache folder", lambda t: ["paths.cache_dir=/proc/ganlab-cache"], "ConfigError", "paths.cache_dir"),
    ("resume_mismatch value", lambda t: ["resume_mismatch=sometimes"], "ConfigError", "resume_mismatch"),
    ("evaluation reading a stage the recipe lacks", lambda t: ["method.evaluate.encoders_stage=encoder"],
     "ConfigError", "method.evaluate.encoders_stage: stage 'encoder'"),
    ("evaluation target that is no protocol", lambda t: ["method.evaluate._target_=ganlab.metrics.fid.FrechetDistance"],
     "ConfigError", "not an evaluation protocol"),
    ("evaluation target that is a function", lambda t: ["method.evaluate._target_=ganlab.evaluation.held_out."
                                                         "predict_test_split"], "ConfigError",
     "not an evaluation protocol"),
]


def _celeba_without_attributes(tmp: Path) -> list[str]:
    write_celeba(tmp / "c", n=12)
    (tmp / "c" / "list_attr_celeba.txt").unlink()
    return ["data.image_size=32"]


@pytest.mark.parametrize("case,overrides,error,fragment", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_bad_config_or_data_fails_before_training(compose_cfg, tmp_path, case, overrides, error, fragment):
    cache = tmp_path / "cache"
    with pytest.raises(Exception) as failed:
        cfg, _ = prepare(compose_cfg("+experiment=icgan", *overrides(tmp_path), cache=cache))
        train(cfg)  # a case that prepare lets through must still fail
    assert type(failed.value).__name__ == error, f"{case}: {failed.value!r}"
    assert fragment in str(failed.value), f"{case}: {failed.value}"
    assert cache_has_no_entries(cache)


def test_no_recipe_says_how_to_choose_one(compose_cfg):
    with pytest.raises(Exception, match=r"\+experiment="):
        prepare(compose_cfg())


CKPT_CASES = [
    ("missing checkpoint", lambda t: t / "nothing.ckpt", "no such file"),
    ("corrupt checkpoint", lambda t: _write(t / "bad.ckpt", b"PK\x03\x04 truncated"), "not a readable checkpoint"),
    ("checkpoint carrying code", lambda t: crafted_checkpoint(t / "evil.ckpt"), "not a readable checkpoint"),
    ("checkpoint not written by ganlab", lambda t: _torch_file(t / "plain.ckpt", {"state_dict": {}}),
     "not written by a ganlab stage"),
    ("checkpoint of another recipe", lambda t: _torch_file(t / "other.ckpt", {"ganlab": {"stage": "stylegan2"}}),
     "not one of this recipe's"),
]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _torch_file(path: Path, payload) -> Path:
    torch.save(payload, path)
    return path


@pytest.mark.parametrize("case,make,fragment", CKPT_CASES, ids=[c[0] for c in CKPT_CASES])
def test_bad_checkpoint_is_named_and_runs_no_code(compose_cfg, tmp_path, case, make, fragment):
    MARKER.unlink(missing_ok=True)
    ckpt = make(tmp_path)
    with pytest.raises(Exception) as failed:
        train(compose_cfg("+experiment=icgan", "debug=fdr", f"ckpt_path={ckpt}", cache=tmp_path / "cache"))
    assert fragment in str(failed.value) and "ckpt_path" in str(failed.value), f"{case}: {failed.value}"
    assert not MARKER.exists(), "a crafted checkpoint ran code"
    assert cache_has_no_entries(tmp_path / "cache")


ZOO_FILE_CASES = [
    ("stored config names shutil.copyfile", dict(target="shutil.copyfile", src="/etc/hostname", dst="{out}")),
    ("stored config names a ganlab function", dict(target="ganlab.module_files.atomic_save", payload="x",
                                                   path="{out}")),
    ("stored config names os.system", dict(target="os.system", command="touch {out}")),
]


@pytest.mark.parametrize("case,spec", ZOO_FILE_CASES, ids=[c[0] for c in ZOO_FILE_CASES])
@pytest.mark.parametrize("given_by", ["path", "env"])
def test_crafted_zoo_file_runs_no_code(tmp_path, monkeypatch, case, spec, given_by):
    out = tmp_path / "written-by-the-file"
    kwargs = {k: str(v).format(out=out) for k, v in spec.items() if k != "target"}
    file = crafted_module_file(tmp_path / "crafted.pt", spec["target"], **kwargs)
    if given_by == "env":
        monkeypatch.setenv("GANLAB_ZOO_CLASSIFIER_DIGITS32", str(file))
    with pytest.raises(ValueError, match="refused to build") as failed:
        zoo.load("classifier-digits32", path=str(file) if given_by == "path" else None, cache_dir=str(tmp_path))
    assert spec["target"] in str(failed.value) and str(file) in str(failed.value)
    assert not out.exists()


def test_truncated_zoo_cache_file_is_named_with_the_fix(tmp_path):
    target = zoo_catalog.cache_file("classifier-digits32", tmp_path, ["debug=fdr"])
    target.parent.mkdir(parents=True)
    target.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(module_files.ModuleFileError, match="Delete it") as failed:
        zoo.load("classifier-digits32", cache_dir=str(tmp_path), overrides=["debug=fdr"])
    assert str(target) in str(failed.value)


def test_module_file_whose_weights_do_not_fit_is_named(tmp_path):
    file = crafted_module_file(tmp_path / "shapes.pt", "ganlab.nets.dcgan.DCGANGenerator", z_dim=4,
                               image_size=16, channels=1, width=4)
    payload = torch.load(file, weights_only=True)
    payload["state_dict"] = {"fc.weight": torch.zeros(5, 5)}
    torch.save(payload, file)
    with pytest.raises(module_files.ModuleFileError, match="do not fit") as failed:
        module_files.load(file)
    assert str(file) in str(failed.value)


def test_unknown_zoo_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="classifier-digits32"):
        zoo.load("classifier-digitz32")


def test_zoo_path_that_does_not_exist_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.pt"):
        zoo.load("classifier-digits32", path=str(tmp_path / "nothing.pt"))


def test_non_finite_sweep_metric_fails_the_trial(compose_cfg):
    cfg = compose_cfg("+experiment=icgan", "optimized_metric=test/psnr")
    with pytest.raises(FailedTrial, match="test/psnr is nan"):
        sweep_value(cfg, {"test/psnr": float("nan")})
    with pytest.raises(Exception, match="not among the run's metrics"):
        sweep_value(cfg, {"test/ssim": 0.5})


def test_stale_temporary_files_are_removed_fresh_ones_kept(tmp_path):
    stale, fresh = tmp_path / "zoo" / "a.pt123.tmp", tmp_path / "stages" / "b.pt456.tmp"
    for path in (stale, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    assert remove_stale_tmp(tmp_path) == [stale]
    assert not stale.exists() and fresh.exists()


def test_a_stored_interpolation_cannot_make_a_target_after_the_check(tmp_path):
    """A resolver (oc.create) in a stored config would build a node, target included, only
    when instantiated: stored configs are resolved when written, so any ${...} is refused."""
    file = crafted_module_file(tmp_path / "resolver.pt", "torch.optim.SGD",
                               params="\"${oc.create:'{_target_: os.system, _args_: [touch " + str(MARKER) + "]}'}\"")
    MARKER.unlink(missing_ok=True)
    with pytest.raises(ValueError, match="an interpolation"):
        module_files.load(file)
    assert not MARKER.exists()


def test_a_stored_zoo_load_cannot_pass_overrides_that_name_code(tmp_path):
    """The zoo loader is trusted, but not overrides a file hands it (a cold cache would train
    the model with them, callbacks included)."""
    file = crafted_module_file(tmp_path / "zoo-overrides.pt", "ganlab.zoo.load", name="stylegan2-digits32",
                               overrides="['+callbacks.x._target_=os.system']")
    with pytest.raises(ValueError, match="may name code"):
        module_files.load(file)
