import torch
from torch import nn

from textlab.training import TrainConfig, fit


def regression_problem():
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1 * torch.randn(256)
    model = nn.Linear(4, 1)
    batches = lambda: [(x[i : i + 32], y[i : i + 32]) for i in range(0, 256, 32)]  # noqa: E731
    step = lambda b: ((model(b[0])[:, 0] - b[1]) ** 2).mean()  # noqa: E731
    return model, batches, step, x, y


def test_fit_learns_and_records_a_history():
    model, batches, step, x, y = regression_problem()
    seen = []
    history = fit(
        model,
        TrainConfig(lr=0.05, max_epochs=15),
        batches,
        step,
        lambda: {"loss": ((model(x)[:, 0] - y) ** 2).mean().item()},
        on_epoch=seen.append,
    )
    assert len(history.epochs) == len(seen) > 1
    assert history.epochs[-1].valid_loss < 0.1 * history.epochs[0].valid_loss
    assert history.best.valid_loss == min(e.valid_loss for e in history.epochs)


def test_early_stopping_restores_the_best_weights_and_decays_the_lr():
    model, batches, step, *_ = regression_problem()
    scores = iter([3.0, 1.0, 2.0, 2.5, 4.0, 0.1])
    snapshots = []

    def evaluate():
        snapshots.append(model.weight.detach().clone())
        return {"loss": next(scores)}

    history = fit(model, TrainConfig(lr=0.01, max_epochs=6, patience=2, lr_decay=0.5), batches, step, evaluate)
    assert len(history.epochs) == 4 and history.best_epoch == 2
    assert "no validation improvement" in history.stopped
    assert [e.lr for e in history.epochs] == [0.01, 0.01, 0.01, 0.005]
    torch.testing.assert_close(model.weight, snapshots[1])


def test_time_budget_and_stop_request_end_training():
    model, batches, step, x, y = regression_problem()
    evaluate = lambda: {"loss": 1.0}  # noqa: E731
    history = fit(model, TrainConfig(max_epochs=100, time_budget_s=0.0), batches, step, evaluate)
    assert len(history.epochs) == 1 and "time budget" in history.stopped
    history = fit(model, TrainConfig(max_epochs=100), batches, step, evaluate, should_stop=lambda: True)
    assert history.stopped == "stopped on request"
