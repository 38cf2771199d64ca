"""Top-1 accuracy of the accelerator on the MNIST or CIFAR-10 test set, on the board.

  sudo python3 validate.py --dataset mnist --bitfile ../bitfile/finn-accel.bit

The test images go into the accelerator as they are (uint8 pixels, packed without a copy to
float), so this fits designs whose input is the raw image, as FINN's validate.py assumes;
the output is the label (one value per image) or one score per class (the highest wins).
Needs the dataset_loading package (pip install dataset_loading) to fetch the data set.
"""

import argparse
import tempfile

import numpy as np

from driver import io_shape_dict
from driver_base import FINNExampleOverlay


def load_test_set(dataset, root):
    # Only needed here, and not installed everywhere: imported when used.
    if dataset == "mnist":
        from dataset_loading import mnist
        _, _, test_x, test_y, _, _ = mnist.load_mnist_data(root, download=True, one_hot=False)
    else:
        from dataset_loading import cifar
        _, _, test_x, test_y, _, _ = cifar.load_cifar_data(root, download=True, one_hot=False)
    return test_x, test_y


def top1(outputs):
    """The predicted label per sample: the value itself, or the index of the top score."""
    flat = outputs.reshape(outputs.shape[0], -1)
    return flat[:, 0] if flat.shape[1] == 1 else np.argmax(flat, axis=1)


def main():
    parser = argparse.ArgumentParser(description="Validate the accelerator's top-1 accuracy "
                                     "on a test set.")
    parser.add_argument("--batchsize", type=int, default=100,
                        help="images per run (default: %(default)s)")
    parser.add_argument("--dataset", choices=["mnist", "cifar10"], required=True,
                        help="test set")
    parser.add_argument("--platform", choices=["zynq-iodma", "alveo"], default="zynq-iodma",
                        help="board type (default: %(default)s)")
    parser.add_argument("--bitfile", default="resizer.bit",
                        help="bitfile (default: %(default)s)")
    parser.add_argument("--dataset_root", default=tempfile.gettempdir(),
                        help="where the data set is kept (default: %(default)s)")
    args = parser.parse_args()

    try:
        test_x, test_y = load_test_set(args.dataset, args.dataset_root)
    except ImportError as e:
        raise SystemExit("validate.py: error: %s (pip install dataset_loading)" % e)
    total = test_x.shape[0]
    if total % args.batchsize:
        parser.error("the %d test images do not split into batches of %d"
                     % (total, args.batchsize))
    try:
        accel = FINNExampleOverlay(bitfile_name=args.bitfile, platform=args.platform,
                                   io_shape_dict=io_shape_dict, batch_size=args.batchsize)
    except ImportError as e:
        raise SystemExit("validate.py: error: %s" % e)
    if not accel.idt().allowed(test_x):
        raise SystemExit("validate.py: error: the accelerator's input datatype %s does not "
                         "hold raw %s pixels" % (accel.idt().name, args.dataset))
    sample_shape = accel.ishape_normal()[1:]
    n_batches = total // args.batchsize
    ok = nok = 0
    for b in range(n_batches):
        lo, hi = b * args.batchsize, (b + 1) * args.batchsize
        images = test_x[lo:hi].reshape((args.batchsize,) + sample_shape)
        predicted = top1(accel.execute(images))
        correct = int(np.sum(predicted == test_y[lo:hi].reshape(-1)))
        ok += correct
        nok += args.batchsize - correct
        print("batch %d / %d : total OK %d NOK %d" % (b + 1, n_batches, ok, nok))
    print("Final accuracy: %f" % (100.0 * ok / total))


if __name__ == "__main__":
    main()
