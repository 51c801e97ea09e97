"""SCGAN's parts: soft self-labels, the mode-weighted generator input, the KL terms and the
uniform re-sampling (the recipes themselves run in test_recipes / test_scgan_recipes)."""

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from ganlab import zoo
from ganlab.editing.mode_edit import pivotal_tuning, position_levels, refine_codes, set_position
from ganlab.editing.self_labels import (
    SelfLabels,
    level_labels,
    mode_kl,
    rate_at_uniform_levels,
    soft_labels,
    uniform_levels,
)
from ganlab.evaluation.scgan import SCGANEvaluation
from ganlab.methods.gans.scgan import SelfConditionedGAN
from ganlab.metrics.tables import write_records
from ganlab.nets.mode_discriminator import ModeDiscriminator
from ganlab.nets.self_conditioned import SelfConditionedGenerator, mode_weights, self_labelled_generator
from ganlab.nets.stylegan2 import Discriminator, Generator, StyleGAN2Checkpoint, save_rosinality
from ganlab.pretrained import pretrained_generator
from ganlab.runner.run import train

from .data_files import write_image_folder
from .report_checks import check_run_report
from .test_resume import crash_and_resume


def tiny_generator(seed: int = 0) -> Generator:
    torch.manual_seed(seed)
    return Generator(16, style_dim=8, n_mlp=1, channels=8)


def test_soft_labels_on_hand_checked_distances():
    # range [-2, 6]: edges at -2, 2, 6
    d = torch.tensor([-5.0, -2.0, 0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 9.0])
    expected = torch.tensor([[1, 0, 0], [1, 0, 0], [0.5, 0.5, 0], [0.25, 0.75, 0], [0, 1, 0], [0, 0.75, 0.25],
                             [0, 0.25, 0.75], [0, 0, 1], [0, 0, 1]])
    assert torch.allclose(soft_labels(d, -2.0, 6.0), expected)
    # per-attribute ranges broadcast over the last axis
    two = soft_labels(torch.tensor([[0.0, 0.0]]), torch.tensor([-2.0, 0.0]), torch.tensor([6.0, 1.0]))
    assert torch.allclose(two, torch.tensor([[[0.5, 0.5, 0], [1, 0, 0]]]))
    with pytest.raises(ValueError, match="high > low"):
        soft_labels(d, 1.0, 1.0)


def test_self_labels_use_the_observed_range():
    labels = SelfLabels(num_attributes=2, style_dim=3)
    normals = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    codes = torch.tensor([[0.0, 4, 9], [4.0, 0, 9], [1.0, 1, 9]])
    distances = labels.fit(normals, torch.tensor([0.0, -1.0]), codes)
    assert torch.equal(distances, torch.tensor([[0.0, 3], [4, -1], [1, 0]]))
    assert labels.low.tolist() == [0, -1] and labels.high.tolist() == [4, 3]
    # image 3: attribute 0 at d=1 of [0, 4] (t = 1/4), attribute 1 at d=0 of [-1, 3] (t = 1/4)
    assert torch.allclose(labels(codes[2:]), torch.tensor([[[0.5, 0.5, 0], [0.5, 0.5, 0]]]))
    assert torch.allclose(labels.distance_at(0.25), torch.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="range is empty"):
        SelfLabels(1, 3).fit(normals[:1], torch.zeros(1), torch.ones(4, 3))


def test_mode_weights_keep_base_on_and_mid_off():
    levels = torch.tensor([[[0.2, 0.8, 0.0], [0.0, 0.3, 0.7]]])
    assert torch.allclose(mode_weights(levels), torch.tensor([[1, 0.2, 0, 0, 0, 0, 0.7]]))


@pytest.mark.parametrize("mode_init", ["zero", "copy"])
def test_base_mode_alone_reproduces_the_pretrained_generator(mode_init):
    base = tiny_generator().eval()
    sc = SelfConditionedGenerator(base, num_attributes=2, mode_init=mode_init).eval()
    assert torch.equal(sc.constants[0], base.input.input[0])
    with torch.no_grad():  # make every other mode different, so only zero weights can hide them
        sc.generator.input.multiinput[..., 1:] += torch.randn_like(sc.generator.input.multiinput[..., 1:])
    z = torch.randn(3, 8)
    mid = level_labels(torch.full((3, 2), 0.5))  # every attribute at its middle: base mode alone
    with torch.no_grad():
        expected, _ = base([z], randomize_noise=False)
        out, _ = sc([z], mid, randomize_noise=False)
        high, _ = sc([z], level_labels(torch.tensor([[1.0, 0.5]] * 3)), randomize_noise=False)
    assert torch.equal(out, expected)
    assert (high - expected).abs().max() > 1e-3
    assert torch.equal(base.input.input, SelfConditionedGenerator(base, 2).constants[:1])  # base left untouched


def test_input_is_the_mode_weighted_sum_of_constants():
    sc = SelfConditionedGenerator(tiny_generator(), num_attributes=1, mode_init="copy")
    with torch.no_grad():
        sc.generator.input.multiinput.normal_()
    levels = torch.tensor([[[0.25, 0.75, 0.0]], [[0.0, 0.0, 1.0]]])
    with sc.generator.input.weighted(mode_weights(levels)):
        x = sc.generator.input(torch.zeros(2, 1))
    c = sc.constants
    assert torch.allclose(x[0], c[0] + 0.25 * c[1], atol=1e-6)  # mid (c[2]) adds nothing
    assert torch.allclose(x[1], c[0] + c[3], atol=1e-6)
    with pytest.raises(RuntimeError, match="needs mode weights"):
        sc.generator.input(torch.zeros(2, 1))


def test_the_self_labelled_generator_draws_each_code_at_its_own_self_labels():
    sc = SelfConditionedGenerator(tiny_generator(), num_attributes=2, mode_init="copy").eval()
    with torch.no_grad():
        sc.generator.input.multiinput.normal_()
    labels = SelfLabels(num_attributes=2, style_dim=8)
    labels.fit(torch.eye(8)[:2], torch.zeros(2), torch.randn(64, 8))
    plain = self_labelled_generator(sc, labels).eval()
    assert isinstance(plain, Generator)
    wplus = torch.randn(3, plain.n_latent, 8)
    with torch.no_grad():
        expected = sc.synthesis(wplus, labels(wplus.mean(1)))
        assert torch.allclose(plain.synthesis(wplus), expected, atol=1e-6)
        # an edit along the first boundary moves the code's modes with it
        moved = wplus + 10 * torch.eye(8)[0]
        assert torch.allclose(plain.synthesis(moved), sc.synthesis(moved, labels(moved.mean(1))), atol=1e-6)
        assert not torch.allclose(plain.synthesis(moved), sc.synthesis(moved, labels(wplus.mean(1))), atol=1e-4)
    assert plain.make_noise()[0].shape == (1, 1, 4, 4)
    with pytest.raises(ValueError, match="fitted self-labels"):
        self_labelled_generator(sc, SelfLabels(2, 8))


def test_a_zoo_scgan_loads_as_a_generator_drawing_each_code_at_its_self_labels(monkeypatch):
    """generator.name=<a zoo SCGAN>: pretrained_generator returns a plain Generator that
    renders W+ codes as the fine-tuned g_ema does at the codes' own self-labels."""
    checkpoint = StyleGAN2Checkpoint(g_ema=tiny_generator(), g=tiny_generator(1), d=Discriminator(16, channels=8),
                                     latent_avg=torch.zeros(8))
    module = SelfConditionedGAN(checkpoint, torch.nn.Identity(), boundaries=None, attributes=["A", "B"],
                                optimizer_g=torch.optim.Adam, optimizer_d=torch.optim.Adam, mode_init="copy")
    with torch.no_grad():
        module.g_ema.generator.input.multiinput.normal_()
    with pytest.raises(RuntimeError, match="no self-labels"):
        module.self_labelled()
    module.labels.fit(torch.eye(8)[:2], torch.zeros(2), torch.randn(64, 8))
    module.batches_seen += 1
    monkeypatch.setattr(zoo, "load", lambda name, **kwargs: module)
    generator = pretrained_generator("scgan-tiny")
    assert isinstance(generator, Generator) and not generator.training
    wplus = torch.randn(4, generator.n_latent, 8)
    with torch.no_grad():
        expected = module.g_ema.synthesis(wplus, module.labels(wplus.mean(1)))
        assert torch.allclose(generator.synthesis(wplus), expected, atol=1e-6)


def test_discriminator_head_keeps_the_pretrained_realness():
    torch.manual_seed(0)
    d = Discriminator(16, channels=8).eval()
    md = ModeDiscriminator(d, num_attributes=3).eval()
    x = torch.randn(4, 3, 16, 16)
    realness, levels = md.classify(x)
    assert torch.equal(realness, d(x)) and torch.equal(md(x), d(x))
    assert levels.shape == (4, 3, 3)


def test_kl_terms_on_known_logits():
    target = torch.tensor([[[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]]])
    # uniform prediction: KL(one-hot || U) = log 3, KL([.5,.5,0] || U) = log 3 - log 2; each averaged over 3 levels
    expected = (math.log(3) + math.log(3) - math.log(2)) / 3
    assert mode_kl(torch.zeros(1, 2, 3), target).item() == pytest.approx(expected, rel=1e-6)
    # a prediction equal to a full-support target gives 0; anything else is positive
    full = torch.tensor([[[0.2, 0.3, 0.5]]])
    assert mode_kl(full.log(), full).item() == pytest.approx(0.0, abs=1e-7)
    assert mode_kl(torch.tensor([[[3.0, 0.0, -3.0]]]), full).item() > 0
    # pushing the logit of the labelled level up lowers the loss (the gradient's sign)
    logits = torch.zeros(1, 1, 3, requires_grad=True)
    mode_kl(logits, torch.tensor([[[0.0, 0.0, 1.0]]])).backward()
    assert logits.grad[0, 0, 2] < 0 < logits.grad[0, 0, 0]


def test_uniform_resampling_covers_the_whole_range():
    g = torch.Generator().manual_seed(0)
    t = uniform_levels(20000, 3, g, "cpu")
    assert t.min() < 0.001 and t.max() > 0.999
    hist = torch.histc(t, bins=10, min=0, max=1) / t.numel()
    assert torch.allclose(hist, torch.full((10,), 0.1), atol=0.01)
    labels = level_labels(t)
    # each level dominates a quarter, a half and a quarter of the range; the tails are as
    # common as low in the data's core: E[high] = E[max(0, 2t - 1)] = 1/4
    share = torch.bincount(labels.argmax(-1).flatten(), minlength=3).float() / labels[..., 0].numel()
    assert torch.allclose(share, torch.tensor([0.25, 0.5, 0.25]), atol=0.01)
    assert labels[..., 2].mean().item() == pytest.approx(0.25, abs=0.01)
    assert torch.allclose(labels.sum(-1), torch.ones(20000, 3))


def test_rate_at_uniform_levels_weighs_every_slice_of_the_range_alike():
    # most images in the core, the attribute only in the top fifth: uniform levels give it 0.2,
    # whatever its share of the data (here 20 of 1,020)
    t = torch.cat([torch.full((900,), 0.45), torch.linspace(0.0, 0.79, 100), torch.linspace(0.81, 0.99, 20)])
    has = (t > 0.8).float()
    assert has.mean().item() < 0.02
    assert rate_at_uniform_levels(t, has).item() == pytest.approx(0.2)
    # images only in [0, 0.5): the empty upper slices take the top filled slice's rate (1 there)
    t = torch.tensor([0.05, 0.15, 0.25, 0.35, 0.42, 0.48])
    assert rate_at_uniform_levels(t, (t > 0.4).float()).item() == pytest.approx(0.6)
    # positions outside [0, 1] count in the end slices, as the soft labels clamp them
    assert rate_at_uniform_levels(torch.tensor([-3.0, 7.0]), torch.tensor([1.0, 0.0])).item() == \
        pytest.approx(0.5)


def _run_scgan_ffhq(compose_cfg, tmp_path, size: int) -> tuple[dict, Path]:
    """scgan_ffhq with debug=fdr on a tiny image folder and a tiny (2-channel) G / D of
    `size` px written by save_rosinality, boundary normals as .npy files."""
    torch.manual_seed(0)
    g_ema = Generator(size, style_dim=8, n_mlp=1, channels=2)
    g_ema.mean_latent(64, store=True)
    ckpt = save_rosinality(tmp_path / "tiny-ffhq.pt", g_ema, Generator(size, style_dim=8, n_mlp=1, channels=2),
                           Discriminator(size, channels=2))
    files = []
    for name in ("Eyeglasses", "Smiling", "Young"):
        np.save(tmp_path / f"{name}.npy", np.random.default_rng(0).normal(size=(1, 8)).astype(np.float32))
        files.append(f"method.stages.scgan.module.boundaries.files.{name}={tmp_path / name}.npy")
    root = write_image_folder(tmp_path / "ffhq", n=20)
    cfg = compose_cfg("+experiment=scgan_ffhq", "debug=fdr", f"data.root={root}", f"data.image_size={size}",
                      "data.num_workers=0", "data.batch_size=2", f"generator.checkpoint={ckpt}", "inverter.width=4",
                      "inverter.hidden=16", "method.stages.scgan.module.grid_rows=1", "method.evaluate.batch_size=2",
                      *files)
    metrics = train(cfg)
    run = Path(cfg.paths.output_dir)
    assert set(metrics) >= {"test/self_label_high_Eyeglasses", "test/self_label_high_Young"}
    assert (run / "self_label_positions.png").is_file() and (run / "samples" / "eval" / "edit_Smiling.png").is_file()
    check_run_report(run)
    exported = torch.load(run / "stylegan2-rosinality.pt", weights_only=True)
    assert exported["g_ema"]["input.multiinput"].shape == (1, 2, 4, 4, 10)  # 3 attributes x 3 levels + base
    return metrics, run


def test_scgan_ffhq_recipe_on_a_tiny_folder_and_checkpoint(compose_cfg, tmp_path):
    """The paper-scale recipe as it is but for the resolution (64 px here, for speed):
    checkpoint loaded as-is, boundary files, one step of every stage, the evaluation."""
    _run_scgan_ffhq(compose_cfg, tmp_path, 64)


@pytest.mark.slow
def test_scgan_ffhq_recipe_at_1024_px(compose_cfg, tmp_path):
    """The same at the recipe's own 1024 px (minutes on a CPU: 1024 px activations)."""
    _run_scgan_ffhq(compose_cfg, tmp_path, 1024)


def test_scgan_resumes_like_an_uninterrupted_run(compose_cfg, tmp_path):
    """Killed in its second epoch and resumed from last.ckpt, the fine-tuning ends with the
    weights an uninterrupted run ends with (self-labels come back from the checkpoint)."""
    short = ["+experiment=scgan", "data.num_images=1000", "data.batch_size=8", "trainer.limit_train_batches=2",
             "trainer.limit_val_batches=1", "method.stages.inverter.trainer.max_epochs=1",
             "method.stages.scgan.trainer.max_epochs=2",
             "method.evaluate=null", "zoo_overrides=['debug=fdr']", "logger=none"]
    reference, _, resumed, _, _ = crash_and_resume(compose_cfg, tmp_path, short, "scgan", epoch=1, batch=1)

    def final(cfg):
        return torch.load(Path(cfg.paths.output_dir) / "checkpoints" / "scgan" / "last.ckpt",
                          weights_only=False)["state_dict"]

    a, b = final(reference), final(resumed)
    assert set(a) == set(b)
    for key in set(a) - {"seconds", "load_average"}:  # wall-clock bookkeeping differs
        assert torch.allclose(a[key].float(), b[key].float(), atol=1e-6), key
    assert bool(b["labels.fitted"]) and torch.equal(a["labels.normals"], b["labels.normals"])


def test_mode_editing_helpers():
    assert torch.allclose(position_levels(torch.tensor([0.25, 1.0, 1.5])),
                          torch.tensor([[0.5, 0.5, 0], [0, 0, 1], [0, -1, 2]]))  # past the top: extrapolated
    levels = level_labels(torch.full((2, 2), 0.5))
    moved = set_position(levels, 1, 1.0)
    assert torch.equal(moved[:, 0], levels[:, 0]) and torch.equal(moved[:, 1], torch.tensor([[0.0, 0, 1]] * 2))

    sc = SelfConditionedGenerator(tiny_generator(), num_attributes=2, mode_init="copy").eval()
    x = torch.randn(2, 3, 16, 16).clamp(-1, 1)
    w0 = torch.randn(2, 8)
    before = {k: v.clone() for k, v in sc.state_dict().items()}

    def error(generator, w):
        with torch.no_grad():
            image = generator.synthesis(w.unsqueeze(1).expand(-1, generator.n_latent, -1), levels)
            return torch.nn.functional.mse_loss(image, x)

    w = refine_codes(sc, w0, levels, x, steps=20, lr=0.05)
    assert error(sc, w) < error(sc, w0)
    tuned = pivotal_tuning(sc, w, levels, x, steps=20, lr=1e-2)
    assert error(tuned, w) < error(sc, w)
    assert all(torch.equal(v, before[k]) for k, v in sc.state_dict().items())  # the original is untouched


def test_the_matched_scgan_edit_is_bisected_between_grid_positions():
    """On the grid SCGAN would overshoot InterFaceGAN's success; bisection finds the mildest
    position that still reaches it, drawing each position it tries once and returning the
    edit it measured there."""
    evaluation = SCGANEvaluation(None, None, None, label_names=["Eyeglasses"], positions=[0.5, 1.0, 2.0],
                                 success_target=0.8, match_steps=5)
    grid = [{"method": "interfacegan", "position": t, "success": s} for t, s in ((0.5, 0.0), (1.0, 0.3), (2.0, 0.85))]
    grid += [{"method": "scgan", "position": t, "success": min(t - 0.5, 1.0)} for t in (0.5, 1.0, 2.0)]
    drawn = []

    def edit(t):  # an "image" that records its position
        drawn.append(t)
        return torch.tensor([t])

    def success(x):
        return min(float(x) - 0.5, 1.0)

    t, x = evaluation._matching_position(grid, edit, success)
    assert len(drawn) == 5 and len(set(drawn)) == 5 and all(1.0 < p < 2.0 for p in drawn)
    assert 1.35 <= t <= 1.35 + 1 / 32 and float(x) == t and success(x) >= 0.85  # grid alone: t = 2.0, success 1.0
    grid[4]["success"] = 0.9  # SCGAN matches from t = 1.0: bisected from 0.5, crossing 0.85 at 0.972
    t, _ = evaluation._matching_position(grid, edit, lambda x: 1.8 * (float(x) - 0.5))
    assert 0.972 <= t <= 0.972 + 0.5 / 32
    assert evaluation._matching_position(grid, edit, lambda x: 0.0) is None  # nothing milder: the grid's 1.0
    grid[3]["success"] = 0.9  # already at its first grid position: nothing to refine
    assert evaluation._matching_position(grid, edit, success) is None
    evaluation.match_steps, grid[3]["success"] = 0, 0.0
    assert evaluation._matching_position(grid, edit, success) is None


def test_each_scgan_edit_is_classified_once(monkeypatch):
    """Grid and bisection share the classifier's verdicts: one classifier pass per edit, and the
    matched row reports the verdicts its position was bisected on. An "image" is its position
    plus a per-source offset (SCGAN's a quarter higher); the classifier sees the attribute from
    2.0 up."""
    offsets = torch.tensor([[0.0], [0.25], [0.5], [0.75]])
    calls = []

    class Classifier(torch.nn.Module):
        def predict(self, x, batch_size):
            calls.append(x)
            return (x >= 2.0).float()

    class Shift:  # an Editor whose edit to position t adds t
        tasks = ["Eyeglasses"]

        def edit(self, codes, task, strength):
            return codes + strength

    gan = SimpleNamespace(attributes=["Eyeglasses"], draw=lambda w, levels, batch_size: levels)
    evaluation = SCGANEvaluation(Classifier(), None, None, label_names=["Eyeglasses"], positions=[0.5, 1.0, 1.5, 2.0],
                                 success_target=0.5, match_steps=4)
    evaluation.columns, evaluation.editors = {"Eyeglasses": 0}, {"interfacegan": Shift(), "scgan": Shift()}
    monkeypatch.setattr(evaluation, "_draw_base", lambda gan, w: w)
    sources = {"interfacegan": offsets, "scgan": offsets + 0.25}
    verdicts = {m: torch.zeros(4, 1) for m in sources}
    grid, match = evaluation._edit_attribute(gan, 0, offsets, None, sources["scgan"], sources, verdicts, None)
    assert len(calls) == 2 * 4 + 4  # the grid's edits, then the bisection's
    ifg = max((r for r in grid if r["method"] == "interfacegan" and r["success"] >= 0.5), key=lambda r: r["position"])
    assert ifg["position"] == 2.0 and ifg["success"] == 1.0  # the grid row at 1.5 reaches 0.5 only
    assert match["position"] == 1.75 and match["success"] == 1.0  # SCGAN's grid: 0.75 at 1.5, 1.0 at 2.0
    assert torch.equal(calls[-4], sources["scgan"] + 1.75)  # the first bisection step, not classified again


def test_tables_take_rows_with_different_columns(tmp_path):
    """The tails check has a short row for an attribute InterFaceGAN never edits well enough."""
    rows = [{"attribute": "Pale_Skin", "passed": 0.0}, {"attribute": "Smiling", "passed": 1.0, "sc_fid": 3.5}]
    write_records(rows, tmp_path, "tails", "note")
    assert (tmp_path / "tails.csv").read_text().splitlines() == ["attribute,passed,sc_fid", "Pale_Skin,0.0,",
                                                                 "Smiling,1.0,3.5"]
    assert "| Pale_Skin | 0 |  |" in (tmp_path / "tails.md").read_text()


def test_tails_check_compares_the_methods_at_matched_success():
    evaluation = SCGANEvaluation(None, None, None, label_names=["Pale_Skin", "Smiling", "Male"],
                                 positions=[1.0, 2.0, 3.0], success_target=0.8)

    def row(attribute, method, t, success, identity, fid):
        return {"attribute": attribute, "method": method, "position": t, "success": success,
                "identity": identity, "fid": fid}

    rows = [row("Pale_Skin", "interfacegan", 1.0, 0.1, 0.9, 100), row("Pale_Skin", "interfacegan", 2.0, 0.85, 0.3, 140),
            row("Pale_Skin", "interfacegan", 3.0, 0.7, 0.2, 150),  # weaker again: 2.0 is the strongest >= 0.8
            row("Pale_Skin", "scgan", 1.0, 0.9, 0.7, 90), row("Pale_Skin", "scgan", 2.0, 1.0, 0.2, 200),
            row("Pale_Skin", "scgan", 3.0, 1.0, 0.1, 250),
            row("Smiling", "interfacegan", 1.0, 0.1, 0.9, 60), row("Smiling", "interfacegan", 3.0, 0.5, 0.6, 70),
            row("Smiling", "scgan", 1.0, 0.95, 0.8, 50), row("Smiling", "scgan", 3.0, 0.99, 0.5, 80),
            row("Male", "interfacegan", 3.0, 0.95, 0.5, 70), row("Male", "scgan", 3.0, 0.6, 0.9, 10)]
    checks = {c["attribute"]: c for c in evaluation._checks(rows, ["Pale_Skin", "Smiling", "Male"])}
    pale = checks["Pale_Skin"]  # SCGAN's mildest edit with >= 0.85 success is t = 1, better on both
    assert (pale["ifg_position"], pale["sc_position"], pale["passed"]) == (2.0, 1.0, 1.0)
    assert (pale["ifg_success"], pale["sc_identity"], pale["sc_fid"]) == (0.85, 0.7, 90.0)
    smiling = checks["Smiling"]  # InterFaceGAN never reaches 0.8: no verdict, best successes kept
    assert math.isnan(smiling["passed"]) and (smiling["ifg_best_success"], smiling["sc_best_success"]) == (0.5, 0.99)
    male = checks["Male"]  # SCGAN never matches InterFaceGAN's success: failed whatever its identity
    assert male["passed"] == 0.0 and math.isnan(male["sc_position"])
