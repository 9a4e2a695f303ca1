package dev.ami.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.config.BufferMemory;
import dev.ami.model.AutoEncoders;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.training.PpoTrainer;
import dev.ami.telemetry.NativeMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Estimates each configured model's memory before anything is deployed. Parameters are counted on the built
 * blocks (exact); optimizer state, gradients and copies follow from them; activations are measured: one
 * forward pass at the training batch, the C heap its intermediates hold (glibc's mallinfo2), doubled for the
 * backward pass. Builds every model once on the calling thread (about a second at ami's sizes) and frees it.
 */
public final class MemoryEstimator {
  private static final double MIB = 1024.0 * 1024.0;
  /** Adam and AdamW keep two moments per parameter. */
  private static final int ADAM_MOMENTS = 2;
  /** The backward pass holds a gradient for each activation it saved, at its peak. */
  private static final double BACKWARD = 2.0;
  /** The newest snapshot and the freed one kept as its spare, the next one's memory ({@code SpareSnapshots}). */
  private static final int SNAPSHOTS = 2;

  private MemoryEstimator() {
  }

  /** One entry per model the config trains, in round-robin order. */
  public static List<ModelMemory> estimate(AmiConfig c) {
    Map<String, Long> buffers = BufferMemory.estimate(c);
    List<ModelMemory> out = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) { // loads the engine before the JNI calls below
      boolean grad = JniUtils.isGradMode();
      JniUtils.setGradMode(false); // what the forward keeps alive is its outputs, not an autograd graph
      try {
      if (c.getString("model.kind").equals("autoencoder")) {
        ModelSpec spec = ModelSpec.from(c);
        Probe encoder = probe(manager, () -> AutoEncoders.encoder(spec), spec.frameShape(1));
        Probe decoder = probe(manager, () -> AutoEncoders.decoder(spec), new Shape(1, spec.latent()));
        double act = activations(manager, () -> AutoEncoders.autoEncoder(spec), spec.frameShape(c.getInt("ae.batch")));
        // snapshot and its spare 2x, the agent's second encoder 1x
        out.add(model(ModelKeys.AE, encoder.params + decoder.params,
            SNAPSHOTS * (encoder.params + decoder.params) + encoder.params, act, buffers.get("ae.buffer")));
      } else {
        VaeSpec vae = VaeSpec.from(c);
        DynamicsSpec fd = DynamicsSpec.from(c);
        PolicySpec policy = PolicySpec.from(c);
        int window = c.getInt("fd.window");
        Probe encoder = probe(manager, () -> new VaeEncoder(vae), vae.frameShape(1));
        Probe decoder = probe(manager, () -> new VaeDecoder(vae), new Shape(1, vae.latent()));
        double vaeAct = activations(manager, () -> new VaeEncoder(vae), vae.frameShape(c.getInt("vae.batch")))
            + activations(manager, () -> new VaeDecoder(vae), new Shape(c.getInt("vae.batch"), vae.latent()));
        boolean randomFeatures = c.getString("reward.features").equals("random");
        boolean paired = !randomFeatures && c.getString("reward.encoder").equals("paired");
        // snapshot and its spare 2x, agent 2x encoder (unless it takes the forward model's), the preview's decoder
        // 1x (fd's frozen encoder is fd's own)
        long vaeCopies = SNAPSHOTS * (encoder.params + decoder.params) + (paired ? 0 : 2 * encoder.params)
            + decoder.params;
        if (!randomFeatures) { // with random features no VAE is trained or published
          out.add(model(ModelKeys.VAE, encoder.params + decoder.params, vaeCopies, vaeAct, buffers.get("vae.buffer")));
        }
        DynamicsBlock shapes = DynamicsBlock.of(fd);
        Probe dynamics = probe(manager, () -> DynamicsBlock.of(fd), shapes.inputShapes(1, 1));
        double fdAct = activations(manager, () -> DynamicsBlock.of(fd), shapes.inputShapes(1, window))
            + activations(manager, () -> new VaeEncoder(vae), vae.frameShape(window + 1)) / BACKWARD; // no grad
        // with the VAE's latents the frozen encoder it was trained against is part of fd's parameters (a snapshot
        // group; no gradient, no optimizer state); with random features it is a fixed encoder the trainer and the
        // agent each build, outside every snapshot
        long fdParams = dynamics.params + (randomFeatures ? 0 : encoder.params);
        // snapshot and spare, the agent's two (its encoder only when it takes the pair)
        long fdCopies = SNAPSHOTS * fdParams + 2 * dynamics.params + (randomFeatures || paired ? 2 * encoder.params : 0);
        out.add(model(ModelKeys.FD, fdParams, dynamics.params, fdCopies, fdAct, buffers.get("fd.buffer")));
        Probe pv = probe(manager, () -> new PolicyValue(policy), policy.frameShape(1));
        double policyAct = activations(manager, () -> new PolicyValue(policy),
            policy.frameShape(c.getInt("policy.batch")));
        // the reward normaliser and the entropy weights travel with it
        long policyParams = pv.params + PpoTrainer.REWARD_STATS_SIZE + PpoTrainer.ENTROPY_WEIGHTS_SIZE;
        out.add(model(ModelKeys.POLICY, policyParams, (SNAPSHOTS + 2) * policyParams, policyAct,
            buffers.get("policy.buffer")));
      }
      } finally {
        JniUtils.setGradMode(grad);
      }
    }
    return out;
  }

  private static ModelMemory model(String key, long params, long copies, double activationsMb, long bufferBytes) {
    return model(key, params, params, copies, activationsMb, bufferBytes);
  }

  /** A model of which only {@code trainable} parameters have gradients and optimizer state. */
  private static ModelMemory model(String key, long params, long trainable, long copies, double activationsMb,
                                   long bufferBytes) {
    double mb = params * (double) Float.BYTES / MIB;
    double trainableMb = trainable * (double) Float.BYTES / MIB;
    return new ModelMemory(key, params, mb, ADAM_MOMENTS * trainableMb, trainableMb,
        copies * (double) Float.BYTES / MIB, activationsMb, bufferBytes / MIB);
  }

  private record Probe(long params) {
  }

  /** Builds a block at batch 1 and counts its parameters. */
  private static Probe probe(NDManager parent, Supplier<Block> build, Shape... inputs) {
    try (NDManager m = parent.newSubManager()) {
      Block b = build.get();
      b.initialize(m, DataType.FLOAT32, inputs);
      long n = 0;
      for (Pair<String, Parameter> p : b.getParameters()) {
        n += p.getValue().getArray().size();
      }
      return new Probe(n);
    }
  }

  /**
   * Forwards measured per block, after one that is not (libtorch's one-time allocations); the median is kept,
   * as other threads' mallocs and frees (the JIT compiler's arenas) land in some.
   */
  private static final int FORWARDS = 5;

  /**
   * MiB one training forward at these input shapes keeps alive, times the backward factor. Measured as the
   * growth of the C heap (process-wide) during the forward, the median of {@link #FORWARDS}; NaN where glibc
   * cannot say.
   */
  static double activations(NDManager parent, Supplier<Block> build, Shape... inputs) {
    try (NDManager m = parent.newSubManager()) {
      Block b = build.get();
      b.initialize(m, DataType.FLOAT32, inputs);
      NDList in = new NDList();
      for (Shape s : inputs) {
        in.add(m.zeros(s));
      }
      double[] held = new double[FORWARDS];
      for (int i = -1; i < FORWARDS; i++) { // forward -1 is not recorded
        try (NDManager step = m.newSubManager()) {
          double before = NativeMemory.mallocMiB();
          NDList result = b.forward(new ParameterStore(step, false), in, true);
          if (i >= 0) {
            held[i] = NativeMemory.mallocMiB() - before;
          }
          for (NDArray r : result) {
            r.close();
          }
        }
      }
      Arrays.sort(held);
      return Math.max(0, held[FORWARDS / 2]) * BACKWARD;
    }
  }
}
