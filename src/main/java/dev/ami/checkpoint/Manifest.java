package dev.ami.checkpoint;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code manifest.json}: what a checkpoint holds and how to check it (docs/persistence.md). Its own SHA-256 is
 * in {@code manifest.sha256}, so a damaged manifest is told apart from a damaged tensor file.
 */
final class Manifest {
  /** The layout version this build writes; it reads this one and older. */
  static final int FORMAT = 1;
  static final String FILE = "manifest.json";
  static final String CHECKSUM_FILE = "manifest.sha256";

  private Manifest() {
  }

  static JsonObject build(Instant created, CheckpointContent c, JsonObject models, JsonObject files) {
    return new JsonObject()
        .put("format", FORMAT)
        .put("project_version", projectVersion())
        .put("created", created.toString())
        .put("reason", c.reason())
        .put("model_kind", c.config().getString("model.kind"))
        .put("models", models)
        .put("agent", c.agent() != null)
        .put("buffers", !c.buffers().isEmpty())
        .put("files", files);
  }

  /** The jar's version (from its manifest); {@code dev} when run from classes. */
  static String projectVersion() {
    String v = Manifest.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
