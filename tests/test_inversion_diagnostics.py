"""The collapse diagnostic, the counterfactual score of edits, its oracle edits and their helpers,
on known cases: codes that do / do not vary with the image, rendered synthfaces whose true
counterfactual is known, and a miniature HFGI whose code and fusion carry known parts."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.resize import to_signed
from ganlab.data.synthfaces import ATTRIBUTES, counterfactual_attributes, render, sample_attributes, sample_identity
from ganlab.editing.edit_sign import edit_sign
from ganlab.evaluation.inversion_counterfactual import CounterfactualEdits
from ganlab.metrics.code_spread import code_r_squared, code_spread, collapse_warning, sampled_codes
from ganlab.metrics.counterfactual import CounterfactualTally, counterfactual_scores, summarise
from ganlab.nets.inverters.base import Inversion

from .test_inverters import tiny_generator


@pytest.fixture(scope="module")
def generator():
    return tiny_generator()


def test_spread_ratio_tells_collapsed_from_faithful_codes(generator):
    sampled = sampled_codes(generator, 4096, seed=0)
    other = sampled_codes(generator, 2048, seed=1)  # codes of other images, the same on every layer
    faithful = other[:, None].expand(-1, generator.n_latent, -1)
    collapsed = generator.w_avg + 1e-3 * (faithful - generator.w_avg)
    good, bad = (code_spread(c, sampled, generator.w_avg) for c in (faithful, collapsed))
    assert 0.8 < good["spread_ratio"] < 1.25 and good["spread_ratio_min"] > 0.8
    assert bad["spread_ratio"] == pytest.approx(1e-6, rel=0.3)
    assert len([k for k in good if k.startswith("spread_ratio_layer")]) == generator.n_latent
    assert good["distance_to_mean"] == pytest.approx(good["distance_to_mean_sampled"], rel=0.1)
    assert bad["distance_to_mean"] == pytest.approx(1e-3 * good["distance_to_mean"], rel=1e-3)
    # one layer collapsed: the mean ratio drops by 1 / n_latent, the minimum shows the layer
    partly = faithful.clone()
    partly[:, 0] = generator.w_avg
    mixed = code_spread(partly, sampled, generator.w_avg)
    assert mixed["spread_ratio_layer0"] == 0 and mixed["spread_ratio_min"] == 0
    assert mixed["spread_ratio"] == pytest.approx(good["spread_ratio"] * (1 - 1 / generator.n_latent), rel=0.05)


def test_code_r_squared_is_one_for_recovered_codes_and_zero_for_the_mean_code():
    truth = torch.randn(500, 3, 8)
    assert code_r_squared(truth, truth) == 1.0
    assert code_r_squared(truth.mean(0).expand_as(truth), truth) == pytest.approx(0.0, abs=1e-12)
    shrunk = truth.mean(0) + 0.5 * (truth - truth.mean(0))  # halfway to the mean: 1 - 0.5^2
    assert code_r_squared(shrunk, truth) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="one shape"):
        code_r_squared(truth[:, 0], truth)


def test_collapse_warning_names_the_run_and_the_low_ratios():
    message = collapse_warning("uda_inversion (outputs/x)", {"src": 1.6e-5, "trg": 0.6})
    assert "uda_inversion (outputs/x)" in message and "src 1.6e-05" in message and "trg" not in message
    assert collapse_warning("run", {"src": 0.5, "trg": 0.1}) is None


def test_code_spread_rejects_bad_shapes(generator):
    sampled = sampled_codes(generator, 8)
    with pytest.raises(ValueError, match=r"codes \[N, L, D\]"):
        code_spread(sampled, sampled, generator.w_avg)
    with pytest.raises(ValueError, match=">= 2"):
        code_spread(sampled[:1, None], sampled, generator.w_avg)


@pytest.fixture(scope="module")
def faces():
    g = torch.Generator().manual_seed(3)
    attributes, identity = sample_attributes(48, g), sample_identity(48, g)
    return attributes, identity, to_signed(render(attributes, identity, 32))


@pytest.mark.parametrize("name", ["Young", "Smiling", "Male", "Blond_Hair"])
def test_the_true_counterfactual_moves_all_the_way_and_no_edit_moves_none(faces, name):
    attributes, identity, images = faces
    k = ATTRIBUTES.index(name)
    truth = to_signed(render(counterfactual_attributes(attributes, name, 1 - attributes[:, k]), identity, 32))
    perfect = summarise(counterfactual_scores(truth, images, truth))
    assert perfect["moved_toward"] == 1.0 and perfect["distance"] == 0 and perfect["psnr"] == float("inf")
    unedited = summarise(counterfactual_scores(images, images, truth))
    assert unedited["moved_toward"] == 0.0 and unedited["distance"] == pytest.approx(unedited["start_distance"])
    # halfway (in pixels) moves every image toward it, at half the distance: PSNR + 6 dB
    halfway = summarise(counterfactual_scores((images + truth) / 2, images, truth))
    assert halfway["moved_toward"] == 1.0
    assert halfway["distance"] == pytest.approx(unedited["distance"] / 2, rel=1e-4)
    assert halfway["psnr"] == pytest.approx(unedited["psnr"] + 20 * torch.log10(torch.tensor(2.0)).item(), abs=1e-3)


def test_tally_gathers_batches_per_key(faces):
    attributes, identity, images = faces
    truth = to_signed(render(counterfactual_attributes(attributes, "Young", 1 - attributes[:, 3]), identity, 32))
    tally = CounterfactualTally()
    tally.update(("a",), truth[:16], images[:16], truth[:16])  # 16 moved
    tally.update(("a",), images[16:], images[16:], truth[16:])  # 32 did not
    assert tally.summary()[("a",)]["moved_toward"] == pytest.approx(16 / 48)


def test_counterfactual_follows_the_data_generators_rules():
    col = {n: i for i, n in enumerate(ATTRIBUTES)}
    a = torch.zeros(2, len(ATTRIBUTES))
    a[0, col["Male"]], a[0, col["No_Beard"]] = 1, 0  # a bearded man
    a[1, col["Heavy_Makeup"]], a[1, col["No_Beard"]] = 1, 1  # a woman with make-up
    to_female = counterfactual_attributes(a[:1], "Male", 0.0)
    assert to_female[0, col["Male"]] == 0 and to_female[0, col["No_Beard"]] == 1  # shaved
    to_male = counterfactual_attributes(a[1:], "Male", 1.0)
    assert to_male[0, col["Male"]] == 1 and to_male[0, col["Heavy_Makeup"]] == 0
    beard = counterfactual_attributes(a[1:], "No_Beard", 0.0)
    assert beard[0, col["Male"]] == 1 and beard[0, col["Heavy_Makeup"]] == 0
    makeup = counterfactual_attributes(a[:1], "Heavy_Makeup", 1.0)
    assert makeup[0, col["Male"]] == 0 and makeup[0, col["No_Beard"]] == 1
    black = counterfactual_attributes(a, "Black_Hair", 1.0)
    blond = counterfactual_attributes(black, "Blond_Hair", 1.0)
    assert (blond[:, col["Black_Hair"]] == 0).all() and (blond[:, col["Blond_Hair"]] == 1).all()
    young = counterfactual_attributes(a, "Young", 1.0)  # no rule: only Young changes
    assert torch.equal(young[:, [i for i in range(len(ATTRIBUTES)) if i != col["Young"]]],
                       a[:, [i for i in range(len(ATTRIBUTES)) if i != col["Young"]]])


def test_edit_sign_adds_what_is_absent_and_removes_what_is_present():
    assert edit_sign(torch.tensor([True, False])).tolist() == [-1.0, 1.0]
    assert edit_sign(torch.tensor([1.0, 0.0, 0.7])).tolist() == [-1.0, 1.0, -1.0]



class BlockGenerator(nn.Module):
    """Its code is an image's 8 x 8 block means; a fusion adds back a per-pixel map."""

    def synthesis(self, wplus, features=None):
        image = F.interpolate(wplus.view(-1, 3, 8, 8), scale_factor=4, mode="nearest")
        for fuse in (features or {}).values():
            image = fuse(image)
        return image


class BlockInverter(nn.Module):
    """HFGI in miniature: the code keeps the block means, the fusion the detail within blocks."""

    def forward(self, x, generator):
        wplus = F.avg_pool2d(x, 4).flatten(1)[:, None]
        base = generator.synthesis(wplus)
        features = {0: lambda act, detail=x - base: act + detail}
        return Inversion(wplus, generator.synthesis(wplus, features), features=features, base_image=base)


def block_faces(attributes, identity):
    """Young lightens the top half (whole blocks: a code change); Smiling adds a pixel
    checkerboard (zero mean in every block: a change only the fusion carries)."""
    base = identity[:, :3, None, None].expand(-1, -1, 32, 32) - 0.5
    rows = torch.arange(32)
    top = (rows < 16).float()[:, None].expand(32, 32)
    checker = ((rows[:, None] + rows[None]) % 2).float() * 2 - 1
    return (base + 0.3 * attributes[:, ATTRIBUTES.index("Young"), None, None, None] * top
            + 0.2 * attributes[:, ATTRIBUTES.index("Smiling"), None, None, None] * checker)


def test_oracle_edits_tell_an_attribute_in_the_code_from_one_in_the_fusion():
    g = torch.Generator().manual_seed(0)
    attributes, identity = sample_attributes(24, g), sample_identity(24, g)
    generator, inverter = BlockGenerator(), BlockInverter()
    seen = []
    edits = CounterfactualEdits(generator, {}, ["Young", "Smiling"], 2.0, attributes, identity, block_faces,
                                degrade=lambda images, index: seen.append(index.tolist()) or images)
    images = block_faces(attributes, identity)
    for start in (0, 16):
        for domain in ("src", "trg"):
            x = images[start:start + 16]
            edits.update(domain, inverter(x, generator), start, inverter)
    scores = edits.summary()
    for domain in ("src", "trg"):
        def score(metric, kind, name, domain=domain):
            return scores[f"test/cf_oracle_{metric}_{kind}_{name}_{domain}"]

        # the counterfactual's code, rendered with the source's fusion, is the counterfactual
        assert score("moved_toward", "code", "Young") == 1.0
        assert score("distance", "code", "Young") == pytest.approx(0, abs=1e-6)
        assert score("start_distance", "code", "Young") > 0.1
        # the checkerboard is not in the code: editing the code leaves the image where it was
        # (up to rounding), the counterfactual's fusion reaches it
        assert score("distance", "code", "Smiling") == pytest.approx(score("start_distance", "code", "Smiling"),
                                                                     abs=1e-6)
        assert score("moved_toward", "fusion", "Smiling") == 1.0
        assert score("distance", "fusion", "Smiling") == pytest.approx(0, abs=1e-6)
        assert score("distance", "fusion", "Young") == pytest.approx(score("start_distance", "fusion", "Young"),
                                                                     abs=1e-6)
    # the target domain's counterfactuals are degraded as their sources, image by image
    assert seen == [list(range(16))] * 2 + [list(range(16, 24))] * 2


def test_oracle_edits_need_the_inverter_and_on_the_target_domain_the_degradation():
    g = torch.Generator().manual_seed(0)
    attributes, identity = sample_attributes(8, g), sample_identity(8, g)
    generator, inverter = BlockGenerator(), BlockInverter()
    inversion = inverter(block_faces(attributes, identity), generator)
    edits = CounterfactualEdits(generator, {}, ["Young"], 2.0, attributes, identity, block_faces)
    edits.update("src", inversion, 0)  # no inverter: no oracle edits
    assert not any(k.startswith("test/cf_oracle_") for k in edits.summary())
    with pytest.raises(ValueError, match="degrade"):
        edits.update("trg", inversion, 0, inverter)
