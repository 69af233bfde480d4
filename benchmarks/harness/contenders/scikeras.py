"""SciKeras 0.13: ``KerasClassifier`` with a model function.

Binary problems end in a sigmoid with ``binary_crossentropy``; many classes
in a softmax with ``categorical_crossentropy`` (SciKeras one-hot encodes
the targets) or ``sparse_categorical_crossentropy``.  With a validation
split (the tutorial's circles) the batch size is ``fit__batch_size``, as
SciKeras's documentation advises when ``predict`` should keep Keras's
default 32 rather than the training batch.
"""


def model(hidden, meta, output, init=None):
    import keras

    layers = [keras.Input((meta["n_features_in_"],))]
    for units in hidden:
        layers.append(
            keras.layers.Dense(units, activation="relu", kernel_initializer=init)
            if init
            else keras.layers.Dense(units, activation="relu")
        )
    units = 1 if output == "sigmoid" else meta["n_classes_"]
    layers.append(keras.layers.Dense(units, activation=output))
    return keras.Sequential(layers)


def classifier(net, loss="binary_crossentropy", init=None, **params):
    from scikeras.wrappers import KerasClassifier

    output = "sigmoid" if loss == "binary_crossentropy" else "softmax"
    batch = {"batch_size": net.batch_size}
    if net.validation_split:
        batch = {"fit__batch_size": net.batch_size}
    return KerasClassifier(
        model=model,
        model__hidden=net.hidden,
        model__output=output,
        model__init=init,
        loss=loss,
        optimizer="adam",
        optimizer__learning_rate=net.learning_rate,
        epochs=net.epochs,
        validation_split=net.validation_split,
        verbose=0,
        random_state=net.seed,
        **batch,
        **params,
    )
