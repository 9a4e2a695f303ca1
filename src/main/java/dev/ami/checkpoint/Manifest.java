package dev.ami.checkpoint;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code manifest.json}: what a checkpoint holds and how to check it (docs/persistence.md). Its own SHA-256 is
 * in {@code manifest.sha256}, so a damaged manifest is told apart from a damaged tensor file.
 */
final class Manifest {
  /** The newest layout version this build reads; it reads every older one too. */
  static final int FORMAT_READ = 2;
  /** The layout of whole checkpoints and trainer parts: older builds read them, the added fields unseen. */
  static final int FORMAT = 1;
  static final String FILE = "manifest.json";
  static final String CHECKSUM_FILE = "manifest.sha256";

  private Manifest() {
  }

  /**
   * Agent parts have models without optimizers and no buffers: format 2, so an older build refuses them clearly
   * instead of failing on a missing optimizer file.
   */
  static int formatOf(Part part) {
    return part == Part.AGENT ? 2 : FORMAT;
  }

  static JsonObject build(Instant created, CheckpointContent c, JsonObject models, JsonObject files) {
    JsonObject manifest = new JsonObject()
        .put("format", formatOf(c.part()))
        .put("project_version", projectVersion())
        .put("created", created.toString())
        .put("reason", c.reason())
        .put("model_kind", c.config().getString("model.kind"))
        .put("models", models)
        .put("agent", c.agent() != null)
        .put("buffers", !c.buffers().isEmpty())
        .put("files", files)
        .put("checkpoint_id", c.id())
        .put("part", c.part().json());
    if (c.parts() != null) {
      manifest.put("parts", c.parts());
    }
    return manifest;
  }

  /** The jar's version (from its manifest); {@code dev} when run from classes. */
  static String projectVersion() {
    String v = Manifest.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
