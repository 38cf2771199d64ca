import os

import numpy as np


def load_cifar_data(root, download=True, one_hot=False):
    t = np.load(os.environ["FAKE_CIFAR"])
    return None, None, t["x"], t["y"], None, None
