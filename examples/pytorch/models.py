"""The two PyTorch models of the example, both for 1x28x28 Fashion-MNIST inputs and 10 classes.

small-resnet: a CIFAR-style ResNet of torchvision BasicBlocks (3x3 stem of 16 channels, three stages of 16/32/64
channels with 2 blocks each, 1x1 conv + BN downsample at the stage changes, global average pool, Linear). No softmax:
the model outputs logits.
resnet18: torchvision's resnet18(num_classes=10) with conv1 = Conv2d(1, 64, 7, 2, 3, bias=False), i.e. torchvision's
own 7x7 stride-2 stem and max pool, only with 1 input channel.
"""
import torch
from torch import nn
from torchvision.models import resnet18
from torchvision.models.resnet import BasicBlock


class SmallResNet(nn.Module):
    def __init__(self, widths=(16, 32, 64), blocks_per_stage=2, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        stages = []
        in_planes = widths[0]
        for i, planes in enumerate(widths):
            stride = 1 if i == 0 else 2
            blocks = []
            for b in range(blocks_per_stage):
                s = stride if b == 0 else 1
                downsample = None
                if s != 1 or in_planes != planes:
                    downsample = nn.Sequential(
                        nn.Conv2d(in_planes, planes, 1, s, bias=False),
                        nn.BatchNorm2d(planes),
                    )
                blocks.append(BasicBlock(in_planes, planes, stride=s, downsample=downsample))
                in_planes = planes
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_planes, num_classes)
        # torchvision's ResNet initialisation
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18_1ch(num_classes=10):
    """torchvision resnet18 with a 1-channel 7x7 stride-2 stem (everything else unchanged)."""
    model = resnet18(num_classes=num_classes)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode='fan_out', nonlinearity='relu')
    return model


ARCHS = {'small-resnet': SmallResNet, 'resnet18': resnet18_1ch}


def build(arch):
    if arch not in ARCHS:
        raise SystemExit(f'unknown --arch {arch!r}; choose one of: {", ".join(ARCHS)}')
    return ARCHS[arch]()
