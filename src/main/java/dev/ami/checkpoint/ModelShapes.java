package dev.ami.checkpoint;

import dev.ami.config.AmiConfig;
import dev.ami.kind.AgentKinds;
import java.util.List;
import java.util.Map;

/** What the configured models look like, as checkpoints record and check it: the agent's kind says. */
public final class ModelShapes {
  private ModelShapes() {
  }

  /** Each model's spec, by model key, as a checkpoint's manifest names it. */
  public static Map<String, String> specs(AmiConfig c) {
    return AgentKinds.of(c).specs(c);
  }

  /**
   * The parameter shapes of every model the config trains: model key → group name (sorted) → shapes. Builds the
   * models' blocks once to read them off (no trainer, no buffers), on the calling thread.
   */
  public static Map<String, Map<String, List<List<Long>>>> of(AmiConfig c) {
    return AgentKinds.of(c).snapshotShapes(c);
  }
}
