package dev.ami.config;

import java.util.List;
import java.util.Map;

/**
 * What the config must know of an agent kind ({@code model.kind}) before anything starts: its rules across its
 * own keys and what its data buffers will hold. The kinds live above this package ({@code dev.ami.kind}), so
 * they are found through {@link java.util.ServiceLoader} (META-INF/services) rather than imported.
 */
public interface KindRules {
  /** The value of {@code model.kind} that selects this kind. */
  String name();

  /** Refuses, with a {@link ConfigException}, values of the kind's keys that cannot work together. */
  void verify(AmiConfig c);

  /** Bytes each buffer holds when full, by its capacity key. */
  Map<String, Long> bufferBytes(AmiConfig c);

  /** Refuses {@code small} above {@code big}. */
  static void notAbove(AmiConfig c, String small, String big) {
    if (c.getInt(small) > c.getInt(big)) {
      throw new ConfigException(small + " (" + c.getInt(small) + ") must not exceed " + big + " (" + c.getInt(big)
          + ")");
    }
  }

  /** Every registered kind, in the order META-INF/services lists them. */
  static List<KindRules> all() {
    return RegisteredKinds.ALL;
  }

  /** The kind {@code model.kind} names. */
  static KindRules of(AmiConfig c) {
    String name = c.getString("model.kind");
    for (KindRules k : RegisteredKinds.ALL) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    throw new ConfigException("no agent kind registered as " + name + " (META-INF/services/" + KindRules.class.getName()
        + ")");
  }
}
