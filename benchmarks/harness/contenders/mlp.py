"""scikit-learn's ``MLPClassifier``: the same layers, epochs and optimizer.

``max_iter`` is the epochs and ``n_iter_no_change`` as many, so it never
stops early.  It holds data out only for early stopping: a ``Net`` with a
validation split gets ``early_stopping=True, validation_fraction=split``,
so it trains on the same fraction every epoch as the Keras contenders and
scores the rest each epoch; it then keeps the best epoch's weights, where
Keras keeps the last.
"""


def classifier(net=None, **params):
    from sklearn.neural_network import MLPClassifier

    if net is None:
        return MLPClassifier(**params)
    held_out = {}
    if net.validation_split:
        held_out = dict(early_stopping=True, validation_fraction=net.validation_split)
    return MLPClassifier(
        hidden_layer_sizes=net.hidden,
        solver="adam",
        learning_rate_init=net.learning_rate,
        max_iter=net.epochs,
        batch_size=net.batch_size,
        n_iter_no_change=net.epochs,
        random_state=net.seed,
        **held_out,
        **params,
    )
