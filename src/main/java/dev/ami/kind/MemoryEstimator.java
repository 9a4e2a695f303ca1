package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.ami.config.AmiConfig;
import dev.ami.memory.ModelMemory;
import java.util.List;

/**
 * Estimates each configured model's memory before anything is deployed. Parameters are counted on the built
 * blocks (exact); optimizer state, gradients and copies follow from them; activations are measured: one
 * forward pass at the training batch, the C heap its intermediates hold (glibc's mallinfo2), doubled for the
 * backward pass ({@link ModelProbe}). The agent's kind says which models and copies there are. Builds every model
 * once on the calling thread (about a second at ami's sizes) and frees it.
 */
public final class MemoryEstimator {
  private MemoryEstimator() {
  }

  /** One entry per model the config trains, in round-robin order. */
  public static List<ModelMemory> estimate(AmiConfig c) {
    try (NDManager manager = NDManager.newBaseManager()) { // loads the engine before the JNI calls below
      boolean grad = JniUtils.isGradMode();
      JniUtils.setGradMode(false); // what the forward keeps alive is its outputs, not an autograd graph
      try {
        return AgentKinds.of(c).memory(c, manager);
      } finally {
        JniUtils.setGradMode(grad);
      }
    }
  }
}
