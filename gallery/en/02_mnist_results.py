"""
Reading the results on MNIST
============================

A model at about 99 % accuracy still leaves questions: how did it learn, and where
does it go wrong? This example draws the learning curves, the confusion
matrix on the test set and the misclassified test images, each followed by a
sentence that reads it.

**You will learn:** how to read learning curves and a confusion matrix, and how to
find and look at misclassified samples.

**You need:** the example :doc:`01_train_mnist_cnn` and :doc:`../08-evaluation`;
about a minute of CPU time.

Training follows example 01's recipe, here in one call to
``dlguide.recipes.train_mnist_cnn``, again for 2 epochs only.
"""

# %%
# Training
# --------
#
# 55,000 training images, with the accuracy measured on 5,000 validation images
# after each epoch; the test set is not used yet.

import torch

from dlguide.data import mnist_tensors, tensor_loader
from dlguide.evaluation import confusion_matrix, per_class_accuracy, predict
from dlguide.plots import plot_confusion_matrix, plot_digits, plot_history
from dlguide.recipes import train_mnist_cnn

model, history = train_mnist_cnn(log_every=200)

# %%
# Learning curves
# ---------------
#
# On the left, the training loss of every batch (log scale, as a running mean) and
# each epoch's mean; on the right, the validation accuracy after each epoch.

figure = plot_history(history, title="学习曲线 learning curves")

# %%
# The loss falls fastest in the first fraction of the first epoch and slowly after
# that; in the second epoch the learning rate decays towards zero and the loss
# fluctuates less. The validation accuracy is still rising in the second epoch:
# 2 epochs have not overfitted the model, and more would still help.

# %%
# Confusion matrix
# ----------------
#
# Only now is the test set used: predict all 10,000 test images and count which
# digit each true digit was predicted as.

test_images, test_labels = mnist_tensors("test")
test_loader = tensor_loader(test_images, test_labels, batch_size=1000)
predictions, labels = predict(model, test_loader)
matrix = confusion_matrix(predictions, labels, num_classes=10)
figure = plot_confusion_matrix(matrix, title="测试集混淆矩阵 test confusion matrix")

# %%
# The diagonal holds the correct counts (in blue); every other cell is a mistake,
# darker for more. Mistakes are few and spread out: most off-diagonal cells are 0
# or a single digit, and the largest say which digits are confused most often.

off_diagonal = matrix.clone()
off_diagonal.fill_diagonal_(0)
worst = torch.topk(off_diagonal.flatten(), k=3)
for count, index in zip(worst.values.tolist(), worst.indices.tolist(), strict=True):
    print(f"true {index // 10} predicted as {index % 10}: {count} times")

for digit, digit_accuracy in enumerate(per_class_accuracy(matrix).tolist()):
    print(f"digit {digit}: {100 * digit_accuracy:.2f} %")
print(f"overall: {100 * matrix.diagonal().sum().item() / matrix.sum().item():.2f} %")

# %%
# Every digit's accuracy is close to the overall one, but not equal: the digits
# whose shapes are easily taken for another (the pairs listed above) score lower.

# %%
# Misclassified test images
# -------------------------
#
# Finally, the images the model gets wrong, each titled with its true and
# predicted label.

wrong = torch.nonzero(predictions != labels).flatten()
print(f"{len(wrong)} of {len(labels)} test images are misclassified")
shown = wrong[:24]
figure = plot_digits(
    test_images[shown],
    labels[shown],
    predictions[shown],
    title="分错的测试图像 misclassified test images",
)

# %%
# Many of them would puzzle a person too: broken strokes, hurried writing, or a
# shape that really looks like another digit. The rest are the interesting ones:
# they hint at what the model still lacks, such as robustness to stroke width or
# slant.
