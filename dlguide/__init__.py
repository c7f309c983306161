"""dlguide: the helpers that the guide's examples import.

The modules, each taught on a page of the guide:

* :mod:`dlguide.data`: MNIST found, checked, split and loaded;
* :mod:`dlguide.models`: the models the pages train;
* :mod:`dlguide.training`: the training loop and its history;
* :mod:`dlguide.evaluation`: accuracy, confusion matrix, per-class accuracy;
* :mod:`dlguide.plots`: figures with Chinese labels that render;
* :mod:`dlguide.distributed`: process groups, backend choice, a torchrun launcher
  and exact distributed evaluation;
* :mod:`dlguide.ddp_mnist`, :mod:`dlguide.fsdp_mnist`: what every rank runs on
  the multi-process pages.
"""

__version__ = "0.1.0"
