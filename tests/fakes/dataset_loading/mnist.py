import os

import numpy as np


def load_mnist_data(root, download=True, one_hot=False):
    t = np.load(os.environ["FAKE_MNIST"])
    return None, None, t["x"], t["y"], None, None
