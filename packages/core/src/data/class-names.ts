/**
 * Fashion-MNIST class names, index = label.
 * @example
 * FASHION_MNIST_CLASS_NAMES[9]; // 'Ankle boot'
 */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * MNIST class names (the digits), index = label.
 * @example
 * MNIST_CLASS_NAMES[3]; // '3'
 */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(Array.from({ length: 10 }, (_, i) => String(i)));

/**
 * CIFAR-10 class names, index = label; used when `batches.meta.txt` is absent.
 * @example
 * CIFAR10_CLASS_NAMES[0]; // 'airplane'
 */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
