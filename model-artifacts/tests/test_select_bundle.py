import pytest

from conftest import synthetic_events, write_ml1m
from hcn.config import DataConfig, ModelConfig, TrainConfig
from hcn.select_bundle import choose, main, validation_figures
from hcn.train import run_experiment


def test_the_most_distinct_interests_win_within_the_tolerance():
    runs = [
        {"val_auc": 0.9425, "val_pearson": 0.92},
        {"val_auc": 0.9409, "val_pearson": 0.02},
        {"val_auc": 0.9300, "val_pearson": 0.00},  # most distinct, but too far below the best
    ]
    assert choose(runs, auc_tolerance=0.002) == 1
    assert choose(runs, auc_tolerance=0.001) == 0  # outside the tolerance only accuracy counts
    assert choose(runs, auc_tolerance=0.02) == 2


def test_by_default_a_gap_within_seed_noise_goes_to_the_more_distinct_interests():
    runs = [{"val_auc": 0.9409, "val_pearson": 0.02}, {"val_auc": 0.9425, "val_pearson": 0.92}]
    assert choose(runs) == 0
    assert choose(runs, auc_tolerance=0) == 1  # the plain validation-AUC choice


def test_ties_keep_the_earlier_run_and_nothing_to_choose_from_is_an_error():
    assert choose([{"val_auc": 0.9, "val_pearson": 0.5}, {"val_auc": 0.9, "val_pearson": 0.5}]) == 0
    with pytest.raises(ValueError):
        choose([])


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("select")
    folder = write_ml1m(base / "data", synthetic_events(users=40, items=50, min_events=8, max_events=30))
    data_cfg = DataConfig(dataset="ml-1m", path=str(folder), long_length=10, short_length=4)
    model_cfg = ModelConfig(n=4, dim=16, heads=2, layers=2, hin_layer="residual", cin_concat="esim")
    for name, diversity in (("plain", 0.0), ("diverse", 1.0)):
        train_cfg = TrainConfig(epochs=2, batch_size=64, positions_per_user=6, lr=5e-3, diversity=diversity)
        run_experiment(data_cfg, model_cfg, train_cfg, base / name)
    return base


def test_validation_figures_are_read_from_the_run_and_computed_on_validation_users(two_runs):
    plain, diverse = (validation_figures(two_runs / n) for n in ("plain", "diverse"))
    assert plain["diversity"] == 0.0 and diverse["diversity"] == 1.0
    assert 0.0 < plain["val_auc"] <= 1.0 and plain["best_epoch"] in (1, 2)
    assert -1.0 <= diverse["val_pearson"] < plain["val_pearson"] <= 1.0  # the regulariser's effect
    # validation, not test: the figure differs from the test-user Pearson recorded by training
    assert plain["val_pearson"] != plain["test_pearson"]


def test_the_command_prints_every_run_and_the_choice(two_runs, capsys):
    main([str(two_runs / "plain"), str(two_runs / "diverse"), "--auc-tolerance", "1.0"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 3 and out[-1] == f"chosen: {two_runs / 'diverse'}"


def test_a_folder_without_a_model_is_one_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="not a finished hcn.train run"):
        main([str(tmp_path)])
