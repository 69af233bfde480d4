"""The backend contract: one base class, each backend overriding its steps.

A backend is a subclass of :class:`Program`, one module per Keras backend
(``_tensorflow``, ``_jax``, ``_torch``); :func:`skxent._backend.backend`
returns the one Keras runs on.  What every backend shares lives here: the
contract, the sparse-batch hook's default and the inference wrapper.

The class answers questions that need no network (class attributes and
class methods); an instance is a training program for one architecture and
training configuration, the way Keras's own trainers hold one compiled
step per backend:

``Program.sparse_input``
    Whether the backend's layers take a sparse tensor, so that a network
    fit on sparse ``X`` gets sparse minibatches (decided once, when the
    network is built; the network's input layer records it).
``Program.sparse_tensor(csr)`` and ``Program.sparse_batch(...)``
    A SciPy CSR chunk, or a minibatch's entries gathered in the graph
    (:func:`skxent._sparse.gather_rows`), as the tensor such a network
    takes; dense by default.
``Program.model_fit_reason()``
    Why training must go through ``keras.Model.fit`` on this backend, or
    None.
``Program.logits_function(model)``
    An ``X -> logits`` function over float32 arrays or SciPy CSR chunks,
    for a network NumPy cannot evaluate (:mod:`skxent._inference`); each
    backend supplies only :meth:`Program.compile_logits`.
``Program(template, *, batch_size, validation, validation_batch)``
    A compiled training epoch.  ``exclusive``: one fit at a time may use
    it (a program whose state is in variables); ``shareable``: fits of the
    same configuration may reuse it (:data:`skxent._programs.PROGRAMS`).
``program.start(model, train, val)``
    A session training ``model``'s weights and optimizer state on the
    ``(X, targets, weights)`` arrays ``train`` (and ``val``):
    ``session.run(order)`` runs one epoch over the rows in that order and
    returns its logs (``loss``, ``val_loss``); ``session.store(model)``
    writes the trained state back into ``model``'s variables;
    ``session.sync_learning_rate(model)`` takes a learning rate a callback
    set.
``session.run_steps(order, start, stop, total)`` and ``session.compiled(sliced)``
    ``run(order)`` in slices, for a progress bar that moves within the
    epoch (:mod:`skxent._progress`): minibatch steps ``start`` to ``stop``,
    ``total`` the running sum of their losses times their sizes, carried
    from one call to the next in the backend's float32 (None at the
    epoch's start).  Returns ``(total, logs)``, ``logs`` None before the
    epoch's last step and then bitwise ``run(order)``'s.  ``compiled``:
    whether the session's next ``run`` (``run_steps`` if ``sliced``) runs
    a compiled program, so that nothing is traced or compiled first.
``Program.loss_as_data``
    Whether a loss of one of :data:`skxent._keras_losses.FAMILIES` trains
    in its family's shared program, the loss chosen by a column of the
    targets (:class:`skxent._keras_losses.LossFamily`), rather than in a
    program of its own.
``Program.one_call`` and ``session.run_fit(chunks, rule)``
    Where ``one_call`` is true, ``run_fit`` trains through whole chunks of
    epochs in one compiled call each, the stopping rule inside (see
    :mod:`skxent._one_call`), and returns a ``FitResult``.
"""

from .. import _sparse

__all__ = ["Program"]


class Program:
    """A training program for one architecture and configuration (see above)."""

    exclusive = True
    shareable = True
    sparse_input = False
    one_call = False
    loss_as_data = False

    def __init__(self, template, *, batch_size, validation, validation_batch):
        self.template = template
        self.batch_size = batch_size
        self.validation = validation
        self.validation_batch = validation_batch

    def start(self, model, train, val):
        """A session training ``model`` on the ``train`` (and ``val``) arrays."""
        raise NotImplementedError

    # -- what needs no network ------------------------------------------------

    @classmethod
    def model_fit_reason(cls):
        """Why training must go through ``keras.Model.fit`` here, or None."""
        return None

    @staticmethod
    def sparse_tensor(csr):
        """A SciPy CSR chunk as the tensor a network with sparse input takes."""
        return csr.toarray()

    @staticmethod
    def sparse_batch(batch_rows, columns, values, n_rows, n_features):
        """The entries of :func:`~skxent._sparse.gather_rows` as a batch.

        Dense here (:func:`skxent._sparse.densify`); backends whose layers
        multiply a sparse tensor return one.
        """
        return _sparse.densify(batch_rows, columns, values, n_rows, n_features)

    @classmethod
    def compile_logits(cls, model):
        """A function from a batch (NumPy array or :meth:`sparse_tensor`) to logits."""
        raise NotImplementedError

    @classmethod
    def logits_function(cls, model):
        """``X -> logits`` (NumPy) for ``model``, X dense float32 or a SciPy CSR.

        ``takes_sparse`` on the function says whether a CSR goes in as a
        sparse tensor (else it is densified, one chunk at a time).
        """
        takes_sparse = bool(model.inputs[0].sparse)
        logits = cls.compile_logits(model)

        def predict_logits(X):
            if _sparse.is_sparse(X):
                X = cls.sparse_tensor(X) if takes_sparse else X.toarray()
            return logits(X)

        predict_logits.takes_sparse = takes_sparse
        return predict_logits
