"""A linear model: scikit-learn's ``LogisticRegression``, for reference."""


def classifier(net=None, **params):
    from sklearn.linear_model import LogisticRegression

    seed = 0 if net is None else net.seed
    return LogisticRegression(random_state=seed, **params)
