"""skxent: ``XentClassifier`` through its public parameters only."""


def classifier(net=None, **params):
    from skxent import XentClassifier

    if net is None:
        return XentClassifier(**params)
    return XentClassifier(
        hidden_layer_sizes=net.hidden,
        epochs=net.epochs,
        batch_size=net.batch_size,
        learning_rate=net.learning_rate,
        validation_split=net.validation_split,
        random_state=net.seed,
        **params,
    )
