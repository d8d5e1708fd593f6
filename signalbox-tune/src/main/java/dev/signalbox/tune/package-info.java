/**
 * Fine-tuning the sentence encoder on routing outcomes: the encoder's forward pass in PyTorch
 * (through DJL) on the weights of its ONNX file, the tuning loop, and the tuned weights written
 * back into that file for ONNX Runtime to run. Training only: the server never loads PyTorch.
 */
@NullMarked
package dev.signalbox.tune;

import org.jspecify.annotations.NullMarked;
