"""
在 MNIST 上训练卷积神经网络
===========================

这个示例在 55,000 张训练图像上训练原教程中的卷积神经网络，用 5,000 张验证图像挑选轮数，
最后只用一次 10,000 张官方测试图像报告准确率。页面上的数字都是这次构建算出来的。

**你将学到：** 怎样用 ``dlguide`` 加载 MNIST、训练并正确评估模型。

**你需要：** :doc:`../02-tensors` 的内容；在两核 CPU 上不到一分钟的时间。

为了在两核 CPU 上一分钟内跑完，这里只训练 2 轮，并用 OneCycle 学习率调度加快收敛；
完整的训练会多跑几轮，并在验证集上挑选轮数。
"""

# %%
# 加载数据
# --------
#
# ``mnist_tensors`` 一次性把整个划分归一化成一个张量，``tensor_loader`` 按索引整批切取，
# 训练集每一轮都重新打乱。

import torch

from dlguide.data import mnist_tensors, tensor_loader
from dlguide.evaluation import accuracy
from dlguide.models import TutorialCNN, count_parameters
from dlguide.plots import plot_history
from dlguide.training import fit, pick_device, seed_everything

seed_everything(0)
train_set = mnist_tensors("train")
val_set = mnist_tensors("val")
test_set = mnist_tensors("test")
train_loader = tensor_loader(*train_set, batch_size=128, shuffle=True, seed=0)
val_loader = tensor_loader(*val_set, batch_size=1000)
test_loader = tensor_loader(*test_set, batch_size=1000)
splits = {"train": train_set, "val": val_set, "test": test_set}
for name, (images, labels) in splits.items():
    print(f"{name:>5}: {len(labels):>6} images of shape {tuple(images.shape[1:])}")

# %%
# 模型与优化器
# ------------
#
# 模型是原教程的网络：两个卷积层（各接池化层）加两个全连接层。
# 权重改用 ``channels_last`` 内存格式，让 CPU 的卷积实现把同一像素的各个通道放在一起处理，
# 计算的内容不变，速度更快。
# 优化器用 AdamW，学习率按 OneCycle 先升后降，每个批量更新一次。

model = TutorialCNN().to(memory_format=torch.channels_last)
print(f"{count_parameters(model):,} parameters")

num_epochs = 2
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=3e-3, total_steps=num_epochs * len(train_loader)
)

# %%
# 训练
# ----
#
# ``fit`` 每 100 个批量打印一行进度，每轮结束时在验证集上测一次准确率。

history = fit(
    model,
    train_loader,
    optimizer,
    num_epochs=num_epochs,
    scheduler=scheduler,
    val_loader=val_loader,
    device=pick_device(),
    log_every=100,
)

# %%
# 在测试集上评估
# --------------
#
# 训练和挑选都结束后，才第一次也是唯一一次用到测试集。

test_accuracy = accuracy(model, test_loader)
print(f"test accuracy on all {len(test_set[1])} images: {100 * test_accuracy:.2f} %")

# %%
# 学习曲线
# --------

figure = plot_history(history, title="学习曲线 learning curves")

# %%
# 训练损失在第二轮明显下降，验证准确率随之上升：学习率在第二轮逐渐降到接近零，
# 模型在训练末期得以稳定下来。训练总时间就是两轮耗时之和。

print(f"training time: {sum(history.seconds):.1f} s")
