"""The run summary's metrics: breakdowns hidden, companion conventions kept beside their headline."""

from ganlab.metrics.headline import headline


def test_headline_hides_breakdowns_and_keeps_companion_figures():
    names = ["test/edit_success", "test/edit_success_all", "test/edit_success_3", "test/edit_success_min",
             "test/psnr", "test/psnr_pooled", "test/ssim", "cgan/train/loss_g"]
    assert headline(names) == ["test/edit_success", "test/edit_success_all", "test/psnr", "test/psnr_pooled",
                               "test/ssim"]
