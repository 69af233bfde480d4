"""PyTorch: Keras's own torch training step, in a plain loop over minibatches.

PyTorch runs eagerly, so there is nothing to compile or share: the
:class:`Program` trains the fitted model's own variables, each step the one
``TorchTrainer.train_step`` takes (forward pass, compiled loss with the
model's regularisation losses, loss scaling, ``backward``, the optimizer's
``apply``), without ``Model.fit``'s data adapter, metric tracking and
per-batch callback dispatch.  For a plain Dense stack (see
:func:`skxent._model.dense_stack`) the forward pass is written in torch ops
on the layers' own variables: Keras's layer-call machinery costs more than
the arithmetic of a small network.  Inference is a forward pass without
autograd.
"""

import keras
import numpy as np
import torch

from .. import _sparse
from .._model import dense_stack
from . import _base

__all__ = ["Program"]


class Program(_base.Program):
    """Training steps on ``template``, which is the fitted model itself.

    Keras's PyTorch backend has no sparse tensors (``sparse_input`` is
    False): sparse ``X`` is densified one minibatch, or prediction chunk,
    at a time.
    """

    exclusive = True
    shareable = False  # nothing compiled: a program per fit

    def __init__(self, template, **settings):
        super().__init__(template, **settings)
        self.model = template
        stack = dense_stack(template)
        self.stack = None
        if stack is not None:
            self.stack = [
                (layer.kernel, layer.bias, layer.activation, name == "linear")
                for layer, name in stack
            ]

    @classmethod
    def compile_logits(cls, model):
        """A forward pass without autograd: PyTorch runs eagerly."""

        def predict_logits(x):
            with torch.no_grad():
                return keras.ops.convert_to_numpy(model(x, training=False))

        return predict_logits

    def forward(self, x, training):
        """The network's outputs: torch ops for a Dense stack, else Keras's call."""
        if self.stack is None:
            return self.model(x, training=training)
        for kernel, bias, activation, linear in self.stack:
            x = torch.addmm(bias.value, x, kernel.value)
            if not linear:
                x = activation(x)  # Keras's activation, on the torch tensor
        return x

    def start(self, model, train, val):
        """A session training ``model`` (this program's own) on the arrays."""
        return _Session(self, _Data(train), None if val is None else _Data(val))

    def train_step(self, x, y, sample_weight):
        model = self.model
        # Gradients are recorded whatever the thread's grad mode: a Ctrl-C
        # that lands inside a torch.no_grad() block's __enter__ (here, in
        # Keras or in the user's code) leaves it off for the thread.
        with torch.enable_grad():
            y_pred = self.forward(x, training=True)
            model.zero_grad()
            loss = model._compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
            model.optimizer.scale_loss(loss).backward()
        variables = model.trainable_weights[:]
        with torch.no_grad():
            model.optimizer.apply([v.value.grad for v in variables], variables)
        return loss.detach()

    def test_loss(self, x, y, sample_weight):
        model = self.model
        with torch.no_grad():
            y_pred = self.forward(x, training=False)
            return model._compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
            )


class _Data:
    """``(X, targets, weights)`` on the device; a sparse X stays a host CSR."""

    def __init__(self, data):
        device = keras.ops.convert_to_tensor(np.zeros(1, np.float32)).device
        X, *rest = data
        self.device = device
        self.X = X if _sparse.is_sparse(X) else torch.as_tensor(X, device=device)
        self.rest = [torch.as_tensor(a, device=device) for a in rest]
        self.n_rows = X.shape[0]

    def batch(self, rows):
        index = torch.as_tensor(rows, device=self.device)
        if _sparse.is_sparse(self.X):
            x = torch.as_tensor(self.X[rows].toarray(), device=self.device)
        else:
            x = self.X[index]
        return x, *(t[index] for t in self.rest)


class _Session:
    def __init__(self, program, train, val):
        self.program = program
        self.train = train
        self.val = val

    @staticmethod
    def _sum(step, data, order, batch_size, total=0.0):
        """``total`` plus ``step``'s losses times their batches' sizes, in turn."""
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            total += step(*data.batch(rows)) * len(rows)
        return total

    def _logs(self, total, n_rows):
        """The epoch's logs from its training rows' ``total``."""
        program = self.program
        logs = {"loss": float(total) / n_rows}
        if self.val is not None:
            rows = np.arange(self.val.n_rows)
            val_total = self._sum(
                program.test_loss, self.val, rows, program.validation_batch
            )
            logs["val_loss"] = float(val_total) / len(rows)
        return logs

    def compiled(self, sliced):
        """True: PyTorch runs eagerly, with nothing to compile."""
        return True

    def run(self, order):
        program = self.program
        total = self._sum(program.train_step, self.train, order, program.batch_size)
        return self._logs(total, len(order))

    def run_steps(self, order, start, stop, total):
        """Steps ``start`` to ``stop`` of ``run(order)``: ``(total, logs)``."""
        size = self.program.batch_size
        rows = order[start * size : stop * size]
        total = self._sum(
            self.program.train_step,
            self.train,
            rows,
            size,
            0.0 if total is None else total,
        )
        if stop * size < len(order):
            return total, None
        return total, self._logs(total, len(order))

    def sync_learning_rate(self, model):
        """Nothing to do: the program trains ``model``'s own variables."""

    def store(self, model):
        """Nothing to do: the program trains ``model``'s own variables."""
