"""A stand-in for the dataset_loading package that validate.py uses (tests only): the test
set comes from the .npz in FAKE_MNIST or FAKE_CIFAR (arrays x, y)."""
