package dev.ami.preview;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.model.InputBuffer;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCopy;

/**
 * Turns a predicted latent back into a picture with the newest published VAE decoder: what the agent
 * expects to see next. One thread builds, updates and runs it; it is never the agent's or the trainer's.
 */
final class Imagination implements AutoCloseable {
  private final VaeSpec spec;
  private final NDManager manager;
  private final ParameterStore store;
  private final VaeDecoder decoder;
  private final InputBuffer latent;
  private long version;
  private long skipped;

  Imagination(VaeSpec spec) {
    this.spec = spec;
    this.manager = NDManager.newBaseManager();
    manager.setName("preview-decoder");
    JniUtils.setGradMode(false); // after the manager: the engine (and libtorch) must be loaded
    this.store = new ParameterStore(manager, false);
    this.decoder = new VaeDecoder(spec);
    decoder.initialize(manager, DataType.FLOAT32, new Shape(1, spec.latent()));
    this.latent = new InputBuffer(spec.latent());
  }

  /** Takes up {@code snapshot}'s decoder if it is newer than the one in use; false when there is none yet. */
  boolean follow(ParamSnapshot snapshot) {
    if (snapshot != null && snapshot.version() > Math.max(version, skipped)) {
      try {
        if (SnapshotCopy.copyGroup(snapshot, "decoder", decoder)) {
          version = snapshot.version();
        }
      } catch (IllegalStateException misfit) {
        skipped = snapshot.version(); // another VAE than this preview's: it waits for its own redeploy
      }
    }
    return version > 0 && version >= skipped; // never a picture from a decoder the newest VAE no longer matches
  }

  long version() {
    return version;
  }

  /** The decoded frame, RGB float CHW (not clamped: the decoder has no output activation). */
  float[] decode(float[] z) {
    try (NDManager m = manager.newSubManager()) {
      return decoder.forward(store, new NDList(latent.wrap(m, z, new Shape(1, spec.latent()))), false)
          .singletonOrThrow().toFloatArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
