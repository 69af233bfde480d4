"""Routed parameters build the optimizer and callbacks as SciKeras does.

skxent's own ``unflatten_params`` replaced SciKeras's: these pin the rules
SciKeras users rely on.  Nothing is trained; the tests build Keras
optimizers and callbacks, or plain Python classes.
"""

from dataclasses import dataclass

import keras
import pytest

from skxent._model import make_callbacks, make_optimizer
from skxent._params import unflatten_params


@dataclass
class Step:
    size: float = 1.0
    schedule: object = None


class Args:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def test_nested_classes_are_built_with_their_routed_parameters():
    optimizer = make_optimizer(
        "sgd",
        0.01,
        {
            "momentum": 0.9,
            "learning_rate": keras.optimizers.schedules.ExponentialDecay,
            "learning_rate__initial_learning_rate": 0.1,
            "learning_rate__decay_steps": 10,
            "learning_rate__decay_rate": 0.5,
        },
    )
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert float(optimizer.momentum) == pytest.approx(0.9)
    schedule = optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "ExponentialDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(0.1)
    assert schedule["config"]["decay_steps"] == 10
    assert schedule["config"]["decay_rate"] == pytest.approx(0.5)


def test_routing_goes_as_deep_as_the_names_do():
    built = unflatten_params(
        Step,
        {"schedule": Step, "schedule__schedule": Step, "schedule__schedule__size": 3},
    )
    assert built == Step(schedule=Step(schedule=Step(size=3)))


def test_callbacks_are_routed_by_index():
    stop, plateau = make_callbacks(
        [keras.callbacks.EarlyStopping, keras.callbacks.ReduceLROnPlateau],
        {"0__patience": 3, "1__factor": 0.5},
    )
    assert isinstance(stop, keras.callbacks.EarlyStopping)
    assert stop.patience == 3
    assert isinstance(plateau, keras.callbacks.ReduceLROnPlateau)
    assert plateau.factor == 0.5
    assert plateau.patience == keras.callbacks.ReduceLROnPlateau().patience


def test_a_list_s_plain_parameters_go_to_every_class_below_the_item_s_own():
    # SciKeras's base parameters: callbacks__patience=7 reaches each callback
    # class; callbacks__1__patience=2 overrides it for the second one.
    stop, plateau = make_callbacks(
        [keras.callbacks.EarlyStopping, keras.callbacks.ReduceLROnPlateau],
        {"patience": 7, "1__patience": 2},
    )
    assert (stop.patience, plateau.patience) == (7, 2)


def test_an_instance_given_parameters_is_refused_with_what_to_do():
    with pytest.raises(TypeError) as raised:
        make_callbacks([keras.callbacks.EarlyStopping()], {"0__patience": 3})
    message = str(raised.value)
    assert "callbacks__0__patience" in message
    assert "not a class" in message
    assert "instead of an instance" in message
    with pytest.raises(TypeError, match="callbacks__patience.*instead of an instance"):
        make_callbacks([keras.callbacks.EarlyStopping()], {"patience": 3})
    with pytest.raises(TypeError, match="not a class.* optimizer__momentum__x"):
        make_optimizer("sgd", 0.01, {"momentum": 0.9, "momentum__x": 1})


def test_instances_and_values_without_parameters_are_kept():
    callback = keras.callbacks.TerminateOnNaN()
    assert unflatten_params([callback, 3, "a"], {}) == [callback, 3, "a"]
    assert unflatten_params([callback], {})[0] is callback


def test_dicts_route_by_key_and_tuples_stay_tuples():
    built = unflatten_params({"a": Step, "b": Step}, {"b__size": 2})
    assert built == {"a": Step(), "b": Step(size=2)}
    assert unflatten_params((Step, Step), {"1__size": 2}) == (Step(), Step(size=2))


def test_digit_keys_are_positional_in_the_order_of_their_numbers():
    built = unflatten_params(Args, {"10": "c", "2": "b", "0": "a", "key": 1})
    assert built.args == ("a", "b", "c")
    assert built.kwargs == {"key": 1}


def test_a_class_given_as_a_value_is_built_even_without_parameters():
    assert unflatten_params(Step, {"schedule": Step}) == Step(schedule=Step())
