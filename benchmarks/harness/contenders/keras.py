"""Raw Keras: the tutorial's script, split into ``fit`` and ``predict``.

``Sequential``, ``compile(..., metrics=['accuracy'])``, ``model.fit`` and
``model.predict`` thresholded at 0.5 (binary crossentropy, a sigmoid, He
initialisation), or ``to_categorical`` targets and logits with
``CategoricalCrossentropy(from_logits=True)`` for many classes; with
``learning_rate=`` where the tutorial wrote ``lr=``, which Keras 3 rejects.
"""


class Tutorial:
    def __init__(self, net, categorical=False):
        self.net = net
        self.categorical = categorical

    def fit(self, X, y):
        import keras
        from keras.layers import Dense
        from keras.models import Sequential

        net = self.net
        keras.utils.set_random_seed(net.seed)
        model = Sequential()
        model.add(keras.Input((X.shape[1],)))
        if self.categorical:
            targets = keras.utils.to_categorical(y)
            for units in net.hidden:
                model.add(Dense(units, activation="relu"))
            model.add(Dense(targets.shape[1], activation="linear"))
            loss = keras.losses.CategoricalCrossentropy(from_logits=True)
        else:
            targets = y
            for units in net.hidden:
                model.add(
                    Dense(units, activation="relu", kernel_initializer="he_uniform")
                )
            model.add(Dense(1, activation="sigmoid"))
            loss = keras.losses.BinaryCrossentropy()
        model.compile(
            loss=loss,
            optimizer=keras.optimizers.Adam(learning_rate=net.learning_rate),
            metrics=["accuracy"],
        )
        model.fit(
            X,
            targets,
            epochs=net.epochs,
            batch_size=net.batch_size,
            verbose=0,
            validation_split=net.validation_split,
        )
        self.model = model
        return self

    def predict(self, X):
        scores = self.model.predict(X, verbose=0)
        if self.categorical:
            return scores.argmax(axis=1)
        return (scores[:, 0] > 0.5).astype(int)


def classifier(net, categorical=False):
    return Tutorial(net, categorical)
