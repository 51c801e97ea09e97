"""The zoo trains a model once with its recipe, caches it, and serves it from plain Python."""

import logging
import shutil
import subprocess
import sys
import threading
import time

import pytest
import torch

from ganlab import compose, zoo, zoo_catalog
from ganlab.cache_lock import cache_lock

FAST = ["debug=fdr"]


def test_zoo_trains_once_then_serves_from_cache(tmp_path, caplog):
    torch.manual_seed(123)
    expected = torch.rand(4)
    torch.manual_seed(123)
    with caplog.at_level(logging.WARNING, logger="ganlab"):
        model = zoo.load("cgan-digits32", cache_dir=str(tmp_path), overrides=FAST)
    assert any("training it once" in r.message for r in caplog.records)
    # training in the middle of a recipe leaves its random stream alone (same run, cold or warm cache)
    assert torch.equal(torch.rand(4), expected)
    images = model.sample(6)  # sampling is one call
    assert images.shape == (6, 1, 32, 32) and images.min() >= -1 and images.max() <= 1

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ganlab"):
        again = zoo.load("cgan-digits32", cache_dir=str(tmp_path), overrides=FAST)
    assert not any("training it once" in r.message for r in caplog.records)
    assert torch.equal(again.sample(6, seed=3), model.sample(6, seed=3))


def test_debug_models_never_shadow_the_real_one(tmp_path):
    zoo.load("classifier-digits32", cache_dir=str(tmp_path), overrides=FAST)
    assert not (tmp_path / "zoo" / "classifier-digits32.pt").exists()
    assert len(list((tmp_path / "zoo").glob("classifier-digits32-*.pt"))) == 1


def test_user_path_and_env_variable(tmp_path, monkeypatch):
    zoo.load("classifier-digits32", cache_dir=str(tmp_path), overrides=FAST)
    file = next((tmp_path / "zoo").glob("classifier-digits32-*.pt"))
    assert zoo.load("classifier-digits32", path=str(file)) is not None
    monkeypatch.setenv("GANLAB_ZOO_CLASSIFIER_DIGITS32", str(tmp_path / "nope.pt"))
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        zoo.load("classifier-digits32", cache_dir=str(tmp_path))


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError, match="cgan-digits32"):
        zoo.load("cgan-mnist7")


@pytest.mark.parametrize("name", zoo.names())
def test_every_zoo_entry_composes_its_recipe_with_the_stage_it_names(name):
    spec = zoo.entry(name)
    cfg = compose(zoo_catalog.recipe_overrides(name))
    assert spec.stage in cfg.method.stages
    if name.endswith("-mlp8"):  # the variants differ from their base entry by the mapping depth
        assert cfg.generator.n_mlp == 8
        assert compose(zoo_catalog.recipe_overrides(name.removesuffix("-mlp8"))).generator.n_mlp == 2


def test_load_from_plain_python_without_hydra(tmp_path):
    """A fresh interpreter: no Hydra context, just `ganlab.zoo.load(name)`."""
    code = (f"from ganlab import zoo; m = zoo.load('cgan-digits32', cache_dir={str(tmp_path)!r}, "
            "overrides=['debug=fdr']); print(tuple(m.sample(2).shape))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "(2, 1, 32, 32)" in out.stdout


def test_a_second_process_waits_for_the_one_training_and_loads_its_model(tmp_path, caplog):
    """A parallel sweep on a cold cache: whoever comes second waits on the entry's lock and
    loads what the first wrote, instead of training it again into the same run folder."""
    trained = zoo.load("classifier-digits32", cache_dir=str(tmp_path / "elsewhere"), overrides=FAST)
    target = zoo_catalog.cache_file("classifier-digits32", tmp_path, FAST)
    result = {}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ganlab"):
        with cache_lock(target, "the first process"):
            second = threading.Thread(target=lambda: result.update(model=zoo.load(
                "classifier-digits32", cache_dir=str(tmp_path), overrides=FAST)))
            second.start()
            waiting = lambda: any("waiting" in r.message for r in caplog.records)  # noqa: E731
            deadline = time.monotonic() + 60
            while not waiting() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert waiting()
            shutil.copy(next((tmp_path / "elsewhere" / "zoo").glob("classifier-digits32-*.pt")), target)
        second.join(timeout=120)
    assert not any("training it once" in r.message for r in caplog.records)
    x = torch.rand(3, 1, 32, 32) * 2 - 1
    assert torch.equal(result["model"].net(x), trained.net(x))
