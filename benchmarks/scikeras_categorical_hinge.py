"""SciKeras 0.13 with ``loss="categorical_hinge"`` versus skxent, on four blobs.

Run: ``python benchmarks/scikeras_categorical_hinge.py``.

SciKeras passes integer labels to ``categorical_hinge``, which expects
one-hot targets; skxent encodes them.  Same network, data and epochs.
"""

import keras
from scikeras.wrappers import KerasClassifier
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skxent import XentClassifier

EPOCHS, BATCH = 20, 32


def model(meta):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(meta["n_classes_"]),
        ]
    )


def main():
    centers = [(15, 0), (15, 15), (0, 15), (30, 15)]
    X, y = make_blobs(1000, centers=centers, cluster_std=1.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    print("| loss | SciKeras 0.13 | skxent |")
    print("| --- | --- | --- |")
    for loss in ["categorical_crossentropy", "categorical_hinge"]:
        scikeras = KerasClassifier(
            model=model,
            loss=loss,
            optimizer="adam",
            optimizer__learning_rate=0.01,
            epochs=EPOCHS,
            batch_size=BATCH,
            verbose=0,
            random_state=0,
        )
        if loss == "categorical_crossentropy":
            scikeras.set_params(
                loss=keras.losses.CategoricalCrossentropy(from_logits=True)
            )
        ours = XentClassifier(
            hidden_layer_sizes=(16,),
            loss=loss,
            learning_rate=0.01,
            epochs=EPOCHS,
            batch_size=BATCH,
            random_state=0,
        )
        theirs = scikeras.fit(X_train, y_train).score(X_test, y_test)
        mine = ours.fit(X_train, y_train).score(X_test, y_test)
        print(f"| {loss} | {theirs:.3f} | {mine:.3f} |")


if __name__ == "__main__":
    main()
