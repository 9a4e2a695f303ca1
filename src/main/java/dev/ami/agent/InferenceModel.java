package dev.ami.agent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.model.AutoEncoders;
import dev.ami.model.ModelSpec;

/**
 * The agent's own copy of the encoder. Used only on the agent thread (DJL blocks are not thread-safe);
 * every tick's arrays live in a sub-manager closed at the end of the tick.
 */
public final class InferenceModel implements AutoCloseable {
  private final ModelSpec spec;
  private final NDManager manager;
  private final Block encoder;
  private final ParameterStore store;

  /** Builds and initialises the encoder; call on the thread that will run it. */
  public InferenceModel(ModelSpec spec) {
    this.spec = spec;
    JniUtils.setGradMode(false); // grad mode is per thread; inference never records a graph
    this.manager = NDManager.newBaseManager();
    manager.setName("agent-model");
    this.encoder = AutoEncoders.encoder(spec);
    encoder.initialize(manager, DataType.FLOAT32, spec.frameShape(1));
    this.store = new ParameterStore(manager, false);
  }

  public Block block() {
    return encoder;
  }

  public NDManager manager() {
    return manager;
  }

  /** Encodes one frame; returns the latent vector. */
  public float[] encode(float[] chw) {
    try (NDManager tick = manager.newSubManager()) {
      NDArray x = tick.create(chw, spec.frameShape(1));
      NDList out = encoder.forward(store, new NDList(x), false);
      return out.singletonOrThrow().toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
