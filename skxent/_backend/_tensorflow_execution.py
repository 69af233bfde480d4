"""How TensorFlow runs skxent's programs: the executor and the Adam kernel.

Two choices that make a small network's compiled epoch fast on the CPU,
kept apart from the program's steps (:mod:`skxent._backend._tensorflow`):
TensorFlow's single-threaded executor, where it cannot deadlock, and
TensorFlow's fused ``ResourceApplyAdam`` for a plain float32 Adam.
"""

import contextlib
import functools

import keras
import tensorflow as tf

try:  # a private name: without it, functions run on the default executor
    from tensorflow.python.eager.context import function_executor_type
except ImportError:
    function_executor_type = None

__all__ = [
    "executor",
    "plain_adam_update",
    "runs_nested_functions",
    "single_threaded_executor",
]

# Ops that run a nested function.  TensorFlow's single-threaded executor
# deadlocks when two threads run graphs holding them at once (Keras's own
# hinge losses hold a StatelessIf); such graphs run on the default executor.
# The epoch's own ``While`` is safe (tests/test_concurrency.py).
_NESTED_CALL_OPS = frozenset(
    {"If", "StatelessIf", "Case", "StatelessCase", "PartitionedCall"}
    | {"StatefulPartitionedCall"}
)


def runs_nested_functions(concrete_function):
    """Whether a traced function holds ops that call nested functions."""
    graph_def = concrete_function.graph.as_graph_def()
    ops = {node.op for node in graph_def.node}
    for function in graph_def.library.function:
        ops.update(node.op for node in function.node_def)
    return not ops.isdisjoint(_NESTED_CALL_OPS)


def plain_adam_update(optimizer, variables):
    """Keras's Adam update as one fused kernel per variable, or None.

    Anything but a plain float32 Adam (AMSGrad, clipping, weight decay, EMA,
    gradient accumulation, loss scaling) keeps Keras's own ``apply``.
    """
    config = optimizer.get_config()
    extras = (
        "amsgrad",
        "weight_decay",
        "clipnorm",
        "clipvalue",
        "global_clipnorm",
        "use_ema",
        "loss_scale_factor",
        "gradient_accumulation_steps",
    )
    if (
        type(optimizer) is not keras.optimizers.Adam
        or any(config.get(key) for key in extras)
        or any(v.dtype != "float32" for v in variables)
        or not hasattr(optimizer, "_momentums")
    ):
        return None
    slots = [
        (
            optimizer._momentums[optimizer._get_variable_index(v)],
            optimizer._velocities[optimizer._get_variable_index(v)],
        )
        for v in variables
    ]

    def update(gradients):
        step = tf.cast(optimizer.iterations + 1, tf.float32)
        beta_1 = tf.constant(optimizer.beta_1, tf.float32)
        beta_2 = tf.constant(optimizer.beta_2, tf.float32)
        learning_rate = tf.cast(optimizer.learning_rate, tf.float32)
        for variable, (m, v), gradient in zip(variables, slots, gradients, strict=True):
            if gradient is None:  # a weight the loss does not depend on
                continue
            tf.raw_ops.ResourceApplyAdam(
                var=variable.value.handle,
                m=m.value.handle,
                v=v.value.handle,
                beta1_power=tf.pow(beta_1, step),
                beta2_power=tf.pow(beta_2, step),
                lr=learning_rate,
                beta1=beta_1,
                beta2=beta_2,
                epsilon=tf.constant(optimizer.epsilon, tf.float32),
                grad=tf.convert_to_tensor(gradient),
            )
        optimizer.iterations.assign_add(1)

    return update


@functools.cache
def _has_gpu():
    return bool(tf.config.list_logical_devices("GPU"))


def single_threaded_executor():
    """A context in which TensorFlow functions run on the calling thread.

    TensorFlow's default executor hands every op of a function to its
    inter-op thread pool; for a small network's hundreds of tiny ops per
    step that hand-off costs more than the ops, and the weights come out
    the same.  The setting is thread-local and restored on exit.  Not
    used with a GPU, which this executor does not drive, nor where
    TensorFlow no longer has the private ``function_executor_type``.
    """
    if function_executor_type is None or _has_gpu():
        return contextlib.nullcontext()
    return function_executor_type("SINGLE_THREADED_EXECUTOR")


def executor(single_threaded):
    """:func:`single_threaded_executor` where ``single_threaded``, else the default.

    ``single_threaded`` is the second value of a program's traced function:
    whether its graph holds no op that calls a nested function.
    """
    if single_threaded:
        return single_threaded_executor()
    return contextlib.nullcontext()
