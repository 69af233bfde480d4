"""
Bring your own network body
===========================

``XentClassifier`` builds a stack of ``Dense`` layers by default.  Pass
``body`` to use any Keras layers instead: a callable that receives the
fitted metadata and returns the hidden layers.  skxent still adds the
output layer (one logit per class, or one for two classes) and picks the
loss from the targets.

Here a small convolutional body learns scikit-learn's 8 x 8 digits.
"""

# %%
import keras
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skxent import XentClassifier


def conv_body(meta, filters=8):
    """Reshape the 64 pixel features to an image and convolve them.

    ``meta`` holds ``n_features_in_``, ``n_classes_``, ``classes_``,
    ``target_type_``, ``loss_``, ``n_outputs_`` and ``random_seed``.
    """
    seed = meta["random_seed"]
    return [
        keras.layers.Reshape((8, 8, 1)),
        keras.layers.Conv2D(
            filters,
            3,
            activation="relu",
            kernel_initializer=keras.initializers.HeUniform(seed),
        ),
        keras.layers.Flatten(),
        keras.layers.Dense(
            32,
            activation="relu",
            kernel_initializer=keras.initializers.HeUniform(seed + 1),
        ),
    ]


# %%
# Routed ``body__*`` parameters reach the callable, so they can be searched
# over like any other parameter.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.25, random_state=0, stratify=y
)
clf = XentClassifier(body=conv_body, body__filters=8, epochs=15, random_state=0)
clf.fit(X_train, y_train)
print(
    f"loss_={clf.loss_!r}, output units {clf.model_.output_shape[-1]}, "
    f"test accuracy {clf.score(X_test, y_test):.3f}"
)
