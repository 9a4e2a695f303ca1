package dev.ami.agent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.model.AutoEncoders;
import dev.ami.model.InputBuffer;
import dev.ami.model.ModelSpec;

/**
 * The agent's own encoder, twice: the agent runs one while fresh parameters are copied into the other
 * (see {@link dev.ami.params.ParamFollower}). Forward passes run only on the agent thread; every tick's
 * arrays live in a sub-manager closed at the end of the tick.
 */
public final class InferenceModel implements AutoCloseable {
  private final ModelSpec spec;
  private final NDManager manager;
  private final Block[] buffers = new Block[2];
  private final ParameterStore store;
  private final InputBuffer input;

  /** Builds and initialises the encoder; call on the thread that will run it. */
  public InferenceModel(ModelSpec spec) {
    this.spec = spec;
    JniUtils.setGradMode(false); // grad mode is per thread; inference never records a graph
    this.manager = NDManager.newBaseManager();
    manager.setName("agent-model");
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = AutoEncoders.encoder(spec);
      buffers[i].initialize(manager, DataType.FLOAT32, spec.frameShape(1));
    }
    this.store = new ParameterStore(manager, false);
    this.input = new InputBuffer(spec.frameSize());
  }

  /** One of the two encoder buffers (0 or 1). */
  public Block buffer(int index) {
    return buffers[index];
  }

  public NDManager manager() {
    return manager;
  }

  /** Encodes one frame with the given buffer; returns the latent vector. */
  public float[] encode(float[] chw, int buffer) {
    try (NDManager tick = manager.newSubManager()) {
      NDArray x = input.wrap(tick, chw, spec.frameShape(1));
      NDList out = buffers[buffer].forward(store, new NDList(x), false);
      return out.singletonOrThrow().toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
