package dev.ami.config;

import java.util.Map;
import java.util.Set;

/**
 * One seed for the whole run: {@code system.seed} gives every random source its seed unless that source's own key
 * was written somewhere (a preset, the file or the command line). With the default {@code system.seed} 1 the
 * derived seeds are the ones the runtime had before there was a system seed (agent 1, trainer 7).
 */
final class Seeds {
  /** The derived keys and their offset from {@code system.seed}. */
  static final Map<String, Long> DERIVED = Map.of("agent.seed", 0L, "trainer.seed", 6L, "sim.seed", 0L);

  private Seeds() {
  }

  /** {@code config} with every seed key not in {@code written} derived from {@code system.seed}. */
  static AmiConfig derive(AmiConfig config, Set<String> written) {
    long seed = config.getLong("system.seed");
    Map<String, Object> derived = new java.util.TreeMap<>();
    DERIVED.forEach((key, offset) -> {
      if (!written.contains(key)) {
        derived.put(key, seed + offset);
      }
    });
    return config.with(derived);
  }
}
