package dev.ami.kind;

import dev.ami.config.AmiConfig;
import dev.ami.config.KindRules;
import java.util.List;

/** The registered kinds: every {@link KindRules} META-INF/services names must be an {@link AgentKind}. */
public final class AgentKinds {
  private AgentKinds() {
  }

  /** The kind {@code model.kind} selects. */
  public static AgentKind of(AmiConfig c) {
    return cast(KindRules.of(c));
  }

  /** Every registered kind, in registration order. */
  public static List<AgentKind> all() {
    return KindRules.all().stream().map(AgentKinds::cast).toList();
  }

  private static AgentKind cast(KindRules k) {
    if (!(k instanceof AgentKind kind)) {
      throw new IllegalStateException(k.getClass().getName() + " is registered as a kind but is no AgentKind");
    }
    return kind;
  }
}
