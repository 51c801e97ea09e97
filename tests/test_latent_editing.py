"""Latent editing parts: LW's sample weights and batch rule, the Sinkhorn loss moving codes,
LT's switchable loss terms, the task parser and the cached latent-code datasets."""

from functools import partial

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from torch import nn

from ganlab.data.latents import LatentCodesDataModule
from ganlab.data.synthfaces import ATTRIBUTES, SynthFacesDataModule, counterfactual_attributes, sample_attributes
from ganlab.data.tasks import parse_tasks
from ganlab.editing.affine import AffineEdits
from ganlab.editing.pair_batches import pair_batches
from ganlab.editing.sample_weights import RULES, rule_effect, source_weights
from ganlab.evaluation.code_counterfactuals import code_counterfactuals
from ganlab.losses.reconstruction import SquaredError
from ganlab.losses.sinkhorn import SinkhornDivergence
from ganlab.losses.synthetic_codes import SyntheticCodeLoss
from ganlab.methods.editors.latent_classifier import LatentClassifier
from ganlab.methods.editors.lt import LatentTransformer
from ganlab.methods.editors.lw import LatentWasserstein
from ganlab.methods.inversion.image_inversion import ImageInversion
from ganlab.methods.inversion.inversion_training import set_w_avg
from ganlab.methods.judges.classifier import ImageClassifier
from ganlab.nets.encoders import ConvEncoder
from ganlab.nets.inverters.psp import PSPEncoder
from ganlab.nets.stylegan2 import Generator


def test_source_weights_on_a_hand_checked_case():
    # columns: [Male, Blond]; sources (not blond): 3 men, 1 woman; targets (blond): 1 man, 3 women
    source = torch.tensor([[1.0, 0], [1, 0], [1, 0], [0, 0]])
    target = torch.tensor([[1.0, 1], [0, 1], [0, 1], [0, 1]])
    # 1 / n+(combination): men 1/1, the woman 1/3, normalised by 3 + 1/3
    torch.testing.assert_close(source_weights(source, target, [0], "inverse_target_count"),
                               torch.tensor([0.3, 0.3, 0.3, 0.1]))
    # n+ / n-: men 1/3 each, the woman 3: the sources' mass per combination is the targets' share
    w = source_weights(source, target, [0], "target_share")
    torch.testing.assert_close(w, torch.tensor([1 / 12, 1 / 12, 1 / 12, 0.75]))
    torch.testing.assert_close(w[:3].sum(), torch.tensor(0.25))
    torch.testing.assert_close(source_weights(source, target, [0], "uniform"), torch.full((4,), 0.25))
    # n+(combination), the default: men 1 each, the woman 3, normalised by 6
    torch.testing.assert_close(source_weights(source, target, [0]), torch.tensor([1 / 6, 1 / 6, 1 / 6, 0.5]))
    # a combination no target has gets no mass
    no_men = target[1:]
    for rule in ("target_count", "inverse_target_count", "target_share"):
        assert source_weights(source, no_men, [0], rule)[:3].sum() == 0, rule


def test_the_weight_rules_move_the_sources_mass_as_measured():
    """On synthfaces' labels (Blond_Hair, weighted by Male / Young / Smiling): target_share gives
    the sources the targets' mix of combinations, the default target_count moves it toward that
    mix, the inverse rule away."""
    labels = sample_attributes(4000, torch.Generator().manual_seed(0))
    blond = labels[:, ATTRIBUTES.index("Blond_Hair")] == 1
    columns = [ATTRIBUTES.index(a) for a in ("Male", "Young", "Smiling")]
    tv = {rule: rule_effect(labels[~blond], labels[blond], columns, rule)["tv"] for rule in RULES}
    assert tv["target_share"] < 1e-5
    assert tv["target_count"] < tv["uniform"] < tv["inverse_target_count"], tv


def test_pair_batches_follow_the_paper_rule():
    g = torch.Generator().manual_seed(0)
    steps = pair_batches(10, 4, g)  # batch = min(10, 4) = 4; source chunks 4, 4, 2 (2 >= half a batch: kept)
    assert [len(s) for s, _ in steps] == [4, 4, 2] and all(len(t) == 4 for _, t in steps)
    assert sorted(torch.cat([s for s, _ in steps]).tolist()) == list(range(10))
    assert [len(s) for s, _ in pair_batches(9, 4, g)] == [4, 4]  # a last chunk of 1 is badly unbalanced
    steps = pair_batches(3, 8, g)  # more targets than sources: all sources each step, targets in chunks
    assert [(len(s), len(t)) for s, t in steps] == [(3, 3), (3, 3), (3, 2)]
    capped = pair_batches(10, 6, g, max_batch_size=3)
    assert all(len(s) == 3 and len(t) == 3 for s, t in capped) and len(capped) == 3


def test_sinkhorn_loss_moves_a_gaussian_onto_another():
    g = torch.Generator().manual_seed(0)
    shift = torch.tensor([2.0, -1.0, 0.0, 1.5])
    source, target = torch.randn(200, 4, generator=g), torch.randn(200, 4, generator=g) + shift
    edits, loss_fn = AffineEdits(1, 4), SinkhornDivergence(blur=0.05, scaling=0.5)
    opt = torch.optim.Adam(edits.parameters(), lr=0.05)
    losses = []
    for _ in range(80):
        loss = loss_fn(edits(source, 0), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.1 * losses[0], losses[::10]
    moved = edits(source, 0).detach()
    assert (moved.mean(0) - shift).abs().max() < 0.3
    torch.testing.assert_close(edits(source, 0, 0.0), source)  # alpha = 0: no edit


def _spread_after_affine_fit(blur: float, dim: int = 64, n: int = 256, steps: int = 150) -> tuple[float, float]:
    """Fit T(x) = x + A x + b from N(0, I) onto N(2 e_1, I) with fresh batches each step; the
    moved codes' (mean std per dimension, mean along e_1)."""
    g = torch.Generator().manual_seed(0)
    shift = torch.zeros(dim)
    shift[0] = 2.0
    edits, loss_fn = AffineEdits(1, dim), SinkhornDivergence(blur=blur, scaling=0.5)
    opt = torch.optim.Adam(edits.parameters(), lr=1e-2)
    for _ in range(steps):
        x, y = torch.randn(n, dim, generator=g), torch.randn(n, dim, generator=g) + shift
        loss = loss_fn(edits(x, 0), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    moved = edits(torch.randn(2000, dim, generator=g), 0).detach()
    return float(moved.std(0).mean()), float(moved.mean(0)[0])


def test_a_tiny_blur_collapses_high_dimensional_batches_and_a_data_scale_blur_does_not():
    """What `editor.sinkhorn.blur` decides (docs/results/lw.md): between finite batches in many
    dimensions, near-exact OT is cheapest when the sources shrink toward their mean (the
    target's spread is 1 here); a blur near half the median distance keeps the spread."""
    tiny_spread, tiny_shift = _spread_after_affine_fit(blur=0.05)
    wide_spread, wide_shift = _spread_after_affine_fit(blur=5.0)  # median distance ~ 11
    assert tiny_spread < 0.5 and wide_spread > 0.7, (tiny_spread, wide_spread)
    assert tiny_shift > 1.0 and wide_shift > 1.0, (tiny_shift, wide_shift)


def test_sinkhorn_rejects_bad_weights_and_missing_keops():
    loss = SinkhornDivergence()
    with pytest.raises(ValueError, match="positive"):
        loss(torch.randn(3, 2), torch.randn(3, 2), torch.tensor([0.5, 0.5, 0.0]))
    try:
        import pykeops  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="tensorized"):
            SinkhornDivergence(backend="online")


def _lt(**weights):
    names = ["Male", "Smiling", "Young"]
    classifier = LatentClassifier(latent_dim=8, n_latent=3, num_labels=3, label_kind="binary", optimizer=None,
                                  hidden=[16])
    return LatentTransformer(tasks=["Smiling"], label_names=names, label_kind="binary", latent_dim=8, n_latent=3,
                             optimizer=None, latent_classifier=classifier, **weights)


def test_lt_loss_terms_switch_off():
    codes = torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
    lt = _lt()
    lt.correlation[1, 0] = lt.correlation[0, 1] = 0.5  # Smiling correlates with Male
    total, parts = lt.objective(0, codes)
    assert set(parts) == {"class", "recon", "reg"} and all(float(v) > 0 for v in parts.values())
    torch.testing.assert_close(total, parts["class"] + 10 * parts["recon"] + parts["reg"])
    assert lt.mask(0, 1.0).tolist() == [0.5, 0.0, 1.0]
    total, parts = _lt(weight_recon=0.0, weight_reg=0.0).objective(0, codes)  # "LT without regularisation"
    assert set(parts) == {"class"} and torch.equal(total, parts["class"])
    total, parts = _lt(weight_class=0.0, weight_reg=0.0).objective(0, codes)
    assert set(parts) == {"recon"}
    total.backward()
    with pytest.raises(ValueError, match="every loss weight is 0"):
        _lt(weight_class=0.0, weight_recon=0.0, weight_reg=0.0).objective(0, codes)
    assert not any(p.requires_grad for p in _lt().latent_classifier.parameters())  # C is a fixed judge


def test_edit_tasks_parse_and_fail_clearly():
    names = ["count_1", "count_2", "count_3"]
    tasks = parse_tasks(None, names, "categorical")
    assert [t.name for t in tasks] == ["count_1->count_2", "count_2->count_3"]
    labels = torch.eye(3)
    assert tasks[0].sources(labels).tolist() == [True, False, False]
    assert tasks[0].targets(labels).tolist() == [False, True, False]
    with pytest.raises(ValueError, match="SOURCE->TARGET"):
        parse_tasks(["count_1"], names, "categorical")
    with pytest.raises(ValueError, match="no such attribute"):
        parse_tasks(["Bald"], ["Male"], "binary")


def _codes_datamodule(tmp_path, generator, classifier, seed=0):
    images = SynthFacesDataModule(image_size=32, num_images=100)
    return LatentCodesDataModule(generator, classifier, images, edits=["Male", "Smiling"], seed=seed,
                                 cache_dir=str(tmp_path), device="cpu", fast_dev_run=True, fast_dev_codes=200)


def test_latent_codes_are_built_once_and_cached(tmp_path, monkeypatch):
    torch.manual_seed(0)
    generator = Generator(32, style_dim=16, n_mlp=1, channels=8).eval()
    classifier = ImageClassifier(ConvEncoder(out_dim=12, image_size=32, channels=3, width=8), "binary", None)
    calls = []
    real_synthesis = generator.synthesis
    monkeypatch.setattr(generator, "synthesis", lambda *a, **k: calls.append(1) or real_synthesis(*a, **k))

    first = _codes_datamodule(tmp_path, generator, classifier)
    first.setup()
    assert calls and first.cache_path.is_file()  # miss: rendered, labelled, written
    assert first.split("train").codes.shape[1:] == (16,) and len(first.split("test")) > 0
    assert first.extra_info() == {"latent_dim": 16, "n_latent": generator.n_latent, "edits": ["Male", "Smiling"],
                                  "code_shape": [16]}

    calls.clear()
    again = _codes_datamodule(tmp_path, generator, classifier)
    again.setup()
    assert not calls and again.cache_path == first.cache_path  # hit: nothing rendered
    assert torch.equal(again.split("val").codes, first.split("val").codes)
    assert torch.equal(again.labels("train"), first.labels("train"))

    key = first.cache_key()
    other_seed = _codes_datamodule(tmp_path, generator, classifier, seed=1)
    other_seed.setup()
    assert calls and other_seed.cache_path != first.cache_path  # miss: another seed
    with torch.no_grad():
        generator.style[1].weight.add_(1.0)
    retrained = _codes_datamodule(tmp_path, generator, classifier)
    assert retrained.cache_key() != key  # new weights never reuse stale codes
    assert len(list((tmp_path / "latents").glob("*.pt"))) == 2 and not list((tmp_path / "latents").glob("*.tmp"))


def test_invert_source_needs_an_inverter_and_sample_source_takes_none():
    generator, images = Generator(32, style_dim=16, n_mlp=1, channels=8), SynthFacesDataModule(image_size=32,
                                                                                              num_images=10)
    with pytest.raises(ValueError, match="inverter=psp"):
        LatentCodesDataModule(generator, None, images, source="invert")
    with pytest.raises(ValueError, match="~inverter"):
        LatentCodesDataModule(generator, None, images, source="sample", inverter=nn.Identity())


TINY_PSP = partial(PSPEncoder, width=8, finest=8, fpn_width=16, max_width=16)


def _tiny_generator() -> Generator:
    generator = Generator(32, style_dim=16, n_mlp=1, channels=8).eval()
    set_w_avg(generator)
    return generator


def _inverted_faces(tmp_path):
    """(generator, classifier, encoder, synthfaces, their W+ codes) of tiny untrained parts."""
    torch.manual_seed(0)
    generator = _tiny_generator()
    encoder = ImageInversion(generator, TINY_PSP, losses={}, optimizer=None)
    classifier = ImageClassifier(ConvEncoder(out_dim=12, image_size=32, channels=3, width=8), "binary", None)
    images = SynthFacesDataModule(image_size=32, num_images=100)
    codes = LatentCodesDataModule(generator, classifier, images, edits=["Male"], source="invert", inverter=encoder,
                                  cache_dir=str(tmp_path), device="cpu")
    codes.setup()
    return generator, classifier, encoder, images, codes


def test_invert_source_takes_wplus_codes_and_the_images_own_labels(tmp_path):
    """data.source=invert with an image-inversion module (what the zoo's psp-multidigits32
    is): one W+ code per real image, labelled with that image's label, not a classifier's."""
    generator, _, encoder, images, codes = _inverted_faces(tmp_path)
    images.setup()
    for split in ("train", "test"):
        assert codes.split(split).codes.shape == (len(images.split(split)), generator.n_latent, 16)
        assert torch.equal(codes.labels(split), images.labels(split).float())
    with torch.no_grad():
        x = images.split("test")[torch.arange(3)][0]
        assert torch.allclose(codes.split("test").codes[:3], encoder(x).wplus, atol=1e-5)


def test_image_inversion_trains_on_its_synthetic_code_loss_too():
    """loss.synthetic is part of the pSp recipes' objective: a step logs it and adds it to the
    total, so the encoder is also pulled toward the known codes of generated images."""
    torch.manual_seed(0)
    generator = _tiny_generator()
    encoder = ImageInversion(generator, TINY_PSP,
                             losses={"l2": SquaredError(weight=1.0),
                                     "synthetic": SyntheticCodeLoss(weight=10.0, batch_size=4)},
                             optimizer=partial(torch.optim.Adam, lr=1e-3), image_size=32)
    images = SynthFacesDataModule(image_size=32, num_images=40, batch_size=8)
    trainer = pl.Trainer(max_steps=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, limit_val_batches=0, accelerator="cpu")
    trainer.fit(encoder, datamodule=images)
    logged = trainer.callback_metrics
    assert float(logged["train/loss_synthetic"]) > 0
    total = float(logged["train/loss_l2"]) + float(logged["train/loss_synthetic"])
    assert float(logged["train/loss"]) == pytest.approx(total, rel=1e-5)
    assert int(encoder.synthetic.draws) == 1


def test_inverted_codes_are_scored_against_their_images_true_counterfactuals(tmp_path):
    """Codes of inverted synthfaces: the counterfactual of test code i is test image i's own
    render with the edited attribute set to the target; sampled codes have none."""
    generator, classifier, _, images, codes = _inverted_faces(tmp_path)
    task = codes.tasks[0]
    rows = task.sources(codes.labels("test")).nonzero().squeeze(1)
    truth = code_counterfactuals(codes, task, rows)
    attributes, identity = images.factors("test")
    assert truth.shape == (len(rows), 3, 32, 32)
    assert not torch.equal(truth, images.split("test")[rows][0])  # every source lacks Male: its render changes
    male = ATTRIBUTES.index("Male")
    assert torch.equal(truth, images.render(counterfactual_attributes(attributes[rows], "Male", 1.0), identity[rows]))
    assert bool((attributes[rows, male] == 0).all())
    sampled = LatentCodesDataModule(generator, classifier, images, edits=["Male"], source="sample", num_codes=64,
                                    cache_dir=str(tmp_path), device="cpu")
    assert code_counterfactuals(sampled, task, rows) is None


class Crash(pl.Callback):
    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if trainer.current_epoch == 2 and batch_idx == 1:
            raise RuntimeError("simulated kill")


def _fit_lw(datamodule, root, callbacks=(), ckpt_path=None):
    torch.manual_seed(0)
    classifier = LatentClassifier(16, datamodule.n_latent, 12, "binary", optimizer=None, hidden=[8])
    lw = LatentWasserstein(["Male", "Smiling"], list(datamodule.label_spec.names), "binary", 16,
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), sinkhorn=SinkhornDivergence(0.5, 0.5),
                           attribute_sinkhorn=SinkhornDivergence(0.5, 0.5), weight_attributes=["Young"],
                           patience=2, max_batch_size=32, latent_classifier=classifier)
    trainer = pl.Trainer(max_epochs=5, reload_dataloaders_every_n_epochs=1, logger=False, enable_progress_bar=False,
                         enable_model_summary=False, default_root_dir=root, num_sanity_val_steps=0,
                         callbacks=[ModelCheckpoint(dirpath=root, save_last=True), *callbacks])
    trainer.fit(lw, datamodule=datamodule, ckpt_path=ckpt_path)
    return lw


def test_lw_stops_per_edit_and_resumes_exactly(tmp_path):
    torch.manual_seed(0)
    generator = Generator(32, style_dim=16, n_mlp=1, channels=8).eval()
    classifier = ImageClassifier(ConvEncoder(out_dim=12, image_size=32, channels=3, width=8), "binary", None)
    data = _codes_datamodule(tmp_path / "cache", generator, classifier)
    reference = _fit_lw(data, tmp_path / "a")
    assert torch.isfinite(reference.best_val).all()  # every edit kept a best snapshot
    assert not torch.equal(reference.best.b[0], torch.zeros(16))  # ... which moved away from the identity
    with pytest.raises(RuntimeError, match="simulated kill"):
        _fit_lw(data, tmp_path / "b", callbacks=[Crash()])
    resumed = _fit_lw(data, tmp_path / "b", ckpt_path=str(tmp_path / "b" / "last.ckpt"))
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], value, msg=key)


def test_lw_compares_attributes_as_logits_or_probabilities():
    torch.manual_seed(0)
    classifier = LatentClassifier(4, 1, 2, "binary", optimizer=None, hidden=[8])

    def lw(space: str) -> LatentWasserstein:
        return LatentWasserstein(["a"], ["a", "b"], "binary", 4, optimizer=None, sinkhorn=SinkhornDivergence(),
                                 attribute_sinkhorn=SinkhornDivergence(), attribute_space=space,
                                 latent_classifier=classifier)

    codes = 50 * torch.randn(64, 4)  # far from every boundary: large logits
    logits, probabilities = lw("logits").attributes(codes), lw("probabilities").attributes(codes)
    torch.testing.assert_close(probabilities, logits.sigmoid())
    assert logits.abs().max() > 1 and 0 <= float(probabilities.min()) and float(probabilities.max()) <= 1
    with pytest.raises(ValueError, match="attribute_space"):
        lw("softmax")


@pytest.mark.parametrize("layout", ["shared", "per_layer", "full"])
def test_lw_objective_takes_w_codes_under_every_layout(layout):
    """A per-layer or full map edits W codes as W+ and is scored against W+ targets; its
    gradient reaches every layer's map."""
    torch.manual_seed(0)
    classifier = LatentClassifier(4, 3, 2, "binary", optimizer=None, hidden=[8])
    lw = LatentWasserstein(["a"], ["a", "b"], "binary", 4, optimizer=None, sinkhorn=SinkhornDivergence(),
                           attribute_sinkhorn=SinkhornDivergence(), latent_classifier=classifier,
                           layout=layout, n_latent=3)
    source, target = torch.randn(32, 4), torch.randn(32, 4) + 2
    loss, _ = lw.objective(0, source, torch.full((32,), 1 / 32), target)
    loss.backward()
    assert torch.isfinite(loss) and lw.transforms.b[0].grad.abs().sum() > 0
    assert lw.edit(source, 0, 1.0).shape == ((32, 4) if layout == "shared" else (32, 3, 4))
