"""The Fréchet distance of torchmetrics' FID on a small feature extractor against numpy/scipy, the blur
calibration of HiCDiffusion's Fig. 1 (FID grows with the Gaussian blur), and FID without Inception weights."""

import numpy as np
import pytest
import torch
from scipy import linalg, ndimage

from hicmodels.evaluation.fid import as_images, frechet_distance, inception_fid


class TextureFeatures(torch.nn.Module):
    """Fixed random 3x3 filters, rectified, averaged over the image: local-contrast energy, which blurring lowers."""

    num_features = 6

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.conv = torch.nn.Conv2d(3, self.num_features, 3, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(torch.randn(self.conv.weight.shape, generator=generator))

    def forward(self, images):
        return self.conv(images.float()).abs().mean(dim=(2, 3))


def _maps(count, n, rng):
    """Hi-C-like windows: distance decay, a few domains at random places, noise."""
    offsets = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    maps = []
    for _ in range(count):
        domain = np.searchsorted(np.sort(rng.choice(np.arange(4, n - 4), 3, replace=False)), np.arange(n))
        same = domain[:, None] == domain[None, :]
        noise = rng.lognormal(0, 0.3, (n, n))
        maps.append(np.log1p(20.0 / (1 + offsets) * np.where(same, 2.0, 1.0) * (noise + noise.T) / 2))
    return np.stack(maps)


def _direct(experimental, predicted, feature):
    with torch.no_grad():
        a = feature(as_images(experimental)).double().numpy()
        b = feature(as_images(predicted)).double().numpy()
    mean = np.sum((a.mean(axis=0) - b.mean(axis=0)) ** 2)
    sa, sb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(sa @ sb).real
    return mean + np.trace(sa + sb - 2 * root)


def test_images_are_min_max_scaled_and_repeated_to_three_channels():
    maps = np.array([[[1.0, 3.0], [3.0, np.nan]]])
    images = as_images(maps)
    assert images.shape == (1, 3, 2, 2)
    assert images[0, 0].tolist() == [[0.0, 1.0], [1.0, 0.0]] and torch.equal(images[0, 0], images[0, 2])


def test_frechet_distance_equals_the_direct_computation():
    rng = np.random.default_rng(0)
    experimental, predicted = _maps(40, 32, rng), _maps(40, 32, rng) * 0.8
    feature = TextureFeatures()
    want = _direct(experimental, predicted, feature)
    assert frechet_distance(experimental, predicted, feature) == pytest.approx(want, rel=1e-3)
    assert want > 1e-3  # a distance the comparison can see
    assert frechet_distance(experimental, experimental, feature) == pytest.approx(0.0, abs=1e-6)


def test_fid_grows_with_the_blur_as_in_hicdiffusion_figure_1():
    rng = np.random.default_rng(1)
    experimental = _maps(40, 64, rng)
    feature = TextureFeatures()
    scores = [frechet_distance(experimental, np.stack([ndimage.gaussian_filter(m, sigma) for m in experimental]),
                               feature) for sigma in (1, 3, 7)]
    assert 0 < scores[0] < scores[1] < scores[2]


def test_fid_without_inception_weights_is_unavailable_with_the_reason(tmp_path, caplog):
    maps = _maps(3, 16, np.random.default_rng(2))
    value, note = inception_fid(maps, maps, None)
    assert np.isnan(value) and "metrics.fid_inception_weights" in note and "cannot be downloaded" in note
    value, note = inception_fid(maps, maps, tmp_path / "missing.pt")
    assert np.isnan(value) and "missing.pt" in note
    assert "FID unavailable" in caplog.text
