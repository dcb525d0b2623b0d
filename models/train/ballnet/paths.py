"""Where things are: the repository's model folders, and the data folder.

The labelled data sets live outside the repository; their folder is given to every script that reads them by
`--data DIR`, or by the environment variable `BALLCAM_DATA` when `--data` is left out (see models/README.md,
"Training code"). Nothing here names a folder outside the repository.
"""
import os

TRAIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # models/train
MODELS_DIR = os.path.dirname(TRAIN_DIR)                                     # models
DATA_ENV = 'BALLCAM_DATA'


def add_data_argument(ap, required_for='the labelled data sets'):
    """Adds `--data DIR` (default: $BALLCAM_DATA) to an argparse parser."""
    ap.add_argument('--data', default=os.environ.get(DATA_ENV) or None, metavar='DIR',
                    help=f'folder holding {required_for} (one sub-folder per set, each with labels.csv); '
                         f'default: ${DATA_ENV}')


def data_root(arg):
    """The data folder named by `--data` / $BALLCAM_DATA; exits with a message when there is none."""
    if not arg:
        raise SystemExit(f'no data folder: pass --data DIR or set {DATA_ENV}')
    if not os.path.isdir(arg):
        raise SystemExit(f'data folder {arg!r} does not exist')
    return arg
