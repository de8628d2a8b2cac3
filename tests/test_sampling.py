import numpy as np
import pytest

from textlab.sampling import SamplingConfig, next_token_probs, sample_rows, sample_token

LOGITS = np.array([1.0, 3.0, 2.0, 0.5, 2.5])


def test_temperature_zero_is_argmax():
    assert next_token_probs(LOGITS, 0.0).tolist() == [0, 1, 0, 0, 0]
    rng = np.random.default_rng(0)
    assert {sample_token(LOGITS, SamplingConfig(temperature=0.0), rng) for _ in range(20)} == {1}


def test_top_k_keeps_exactly_k():
    probs = next_token_probs(LOGITS, 1.0, top_k=2)
    assert set(np.flatnonzero(probs)) == {1, 4}
    assert probs.sum() == pytest.approx(1.0)


def test_top_p_keeps_the_smallest_set_reaching_p():
    full = next_token_probs(LOGITS, 1.0)
    probs = next_token_probs(LOGITS, 1.0, top_p=0.5)
    kept = np.flatnonzero(probs)
    order = np.argsort(-full)
    assert set(kept) == set(order[: len(kept)])
    assert full[kept].sum() >= 0.5 and full[kept].sum() - full[kept].min() < 0.5
    assert np.count_nonzero(next_token_probs(LOGITS, 1.0, top_p=0.01)) == 1


def test_higher_temperature_flattens():
    assert next_token_probs(LOGITS, 2.0).max() < next_token_probs(LOGITS, 0.5).max()


def test_same_seed_same_draws():
    cfg = SamplingConfig(temperature=1.0, top_p=1.0)

    def draws(seed):
        rng = np.random.default_rng(seed)
        return [sample_token(LOGITS, cfg, rng) for _ in range(40)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


@pytest.mark.parametrize(
    "field, value",
    [
        ("temperature", -0.1),
        ("temperature", 9),
        ("top_k", -1),
        ("top_p", 0),
        ("max_chars", 0),
        ("max_chars", 10**6),
        ("seed", -5),
        ("temperature", float("nan")),
    ],
)
def test_out_of_range_settings_are_refused_with_their_name(field, value):
    with pytest.raises(ValueError, match=field):
        SamplingConfig(**{field: value})


def test_a_setting_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="temperature must be a number"):
        SamplingConfig(temperature="hot")


def test_top_k_with_ties_keeps_exactly_k():
    assert np.count_nonzero(next_token_probs(np.array([1.0, 1.0, 1.0, 0.0]), 1.0, top_k=2)) == 2


def test_rows_of_logits_get_the_distribution_each_row_would_get_alone():
    rows = np.stack([LOGITS, LOGITS[::-1], LOGITS * 3])
    for kwargs in ({}, {"top_k": 2}, {"top_p": 0.5}, {"top_k": 3, "top_p": 0.9}):
        together = next_token_probs(rows, 0.8, **kwargs)
        for row, probs in zip(rows, together, strict=True):
            np.testing.assert_allclose(probs, next_token_probs(row, 0.8, **kwargs))
    assert next_token_probs(rows, 0.0).argmax(axis=1).tolist() == rows.argmax(axis=1).tolist()


def test_sample_rows_draws_from_each_rows_distribution():
    cfg = SamplingConfig(temperature=1.0, top_k=3, top_p=1.0)
    rows = np.stack([LOGITS, LOGITS[::-1]])
    rng = np.random.default_rng(0)
    draws = np.stack([sample_rows(rows, cfg, rng) for _ in range(20_000)])  # (draws, 2)
    for r in range(2):
        expected = next_token_probs(rows[r], 1.0, top_k=3)
        seen = np.bincount(draws[:, r], minlength=len(LOGITS)) / len(draws)
        np.testing.assert_allclose(seen, expected, atol=0.015)
        assert seen[expected == 0].sum() == 0  # a token cut by top-k is never drawn
    greedy = sample_rows(rows, SamplingConfig(temperature=0.0), rng)
    assert greedy.tolist() == rows.argmax(axis=1).tolist()
    again = np.random.default_rng(5)
    assert sample_rows(rows, cfg, again).tolist() == sample_rows(rows, cfg, np.random.default_rng(5)).tolist()
