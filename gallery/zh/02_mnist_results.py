"""
解读 MNIST 上的结果
===================

训练出一个准确率在 99% 上下的模型之后，还要看它怎样学会、在哪里出错。
本例画出学习曲线、测试集上的混淆矩阵和被分错的测试图像，每张图后面都有一句解读。

**你将学到：** 怎样读学习曲线和混淆矩阵，怎样找出并查看分错的样本。

**你需要：** 示例 :doc:`01_train_mnist_cnn` 和 :doc:`../08-evaluation`；约一分钟的 CPU 时间。

训练用的是示例 01 的同一套做法，这里由 ``dlguide.recipes.train_mnist_cnn`` 一步完成，同样只训练 2 轮。
"""

# %%
# 训练
# ----
#
# 训练集 55,000 张，每轮结束后在 5,000 张验证图像上测一次准确率；测试集这时还没有用到。

import torch

from dlguide.data import mnist_tensors, tensor_loader
from dlguide.evaluation import confusion_matrix, per_class_accuracy, predict
from dlguide.plots import plot_confusion_matrix, plot_digits, plot_history
from dlguide.recipes import train_mnist_cnn

model, history = train_mnist_cnn(log_every=200)

# %%
# 学习曲线
# --------
#
# 左图是每个批量的训练损失（对数坐标，取滑动平均）和每轮的平均值，右图是每轮结束时的验证准确率。

figure = plot_history(history, title="学习曲线 learning curves")

# %%
# 损失在第一轮的前几分之一里下降得最快，之后缓慢下降；第二轮学习率降到接近零，损失的波动也随之变小。
# 验证准确率在第二轮还在上升，说明 2 轮并没有让模型过拟合，多训练几轮还有提升的空间。

# %%
# 混淆矩阵
# --------
#
# 现在才第一次用测试集：预测全部 10,000 张测试图像，统计每个真实数字被预测成了哪个数字。

test_images, test_labels = mnist_tensors("test")
test_loader = tensor_loader(test_images, test_labels, batch_size=1000)
predictions, labels = predict(model, test_loader)
matrix = confusion_matrix(predictions, labels, num_classes=10)
figure = plot_confusion_matrix(matrix, title="测试集混淆矩阵 test confusion matrix")

# %%
# 对角线上是分对的个数（蓝色），其余格子是错误，颜色越深错得越多。
# 错误很少且分散：绝大多数非对角线格子是 0 或个位数，最大的几个格子说明哪些数字最容易被混淆。

off_diagonal = matrix.clone()
off_diagonal.fill_diagonal_(0)
worst = torch.topk(off_diagonal.flatten(), k=3)
for count, index in zip(worst.values.tolist(), worst.indices.tolist(), strict=True):
    print(f"true {index // 10} predicted as {index % 10}: {count} times")

for digit, digit_accuracy in enumerate(per_class_accuracy(matrix).tolist()):
    print(f"digit {digit}: {100 * digit_accuracy:.2f} %")
print(f"overall: {100 * matrix.diagonal().sum().item() / matrix.sum().item():.2f} %")

# %%
# 各个数字的准确率都接近总体准确率，但并不相同：形状容易和别的数字混淆的数字（上面列出的几对）准确率较低。

# %%
# 分错的测试图像
# --------------
#
# 最后看看模型到底错在哪些图像上：每张图的标题是真实标签和预测标签。

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
# 不少分错的图像连人也难以一眼认出：笔画残缺、写得很潦草，或者本身就像另一个数字。
# 剩下的错误更值得研究，它们提示模型还缺少什么，例如对笔画粗细或倾斜的稳健性。
